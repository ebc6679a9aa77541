package dev.layerwise.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.numeric.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RmsNormTest {
    private static final int ROWS = 3;
    private static final int COLS = 50;

    private static double[] reference(float[] x, float[] w, double eps) {
        double[] y = new double[x.length];
        for (int t = 0; t < ROWS; t++) {
            double ss = 0;
            for (int i = 0; i < COLS; i++) {
                ss += (double) x[t * COLS + i] * x[t * COLS + i];
            }
            double r = 1 / Math.sqrt(ss / COLS + eps);
            for (int i = 0; i < COLS; i++) {
                y[t * COLS + i] = (double) w[i] * x[t * COLS + i] * r;
            }
        }
        return y;
    }

    @Test
    void float32MatchesFloat64WithinAFewUlps() {
        float[] x = KernelFixtures.random(1, ROWS * COLS, 3, DType.FLOAT32);
        float[] w = KernelFixtures.random(2, COLS, 1.25f, DType.FLOAT32);
        float[] y = new float[x.length];
        RmsNorm.apply(x, ROWS, COLS, w, 1e-5, y, Precision.of(DType.FLOAT32));
        double[] ref = reference(x, w, 1e-5);
        for (int i = 0; i < y.length; i++) {
            assertEquals(ref[i], y[i], 8 * 0x1p-24 * Math.abs(ref[i]) + 1e-30, "i=" + i);
        }
        double[] yd = new double[x.length];
        RmsNorm.apply(KernelFixtures.widen(x), ROWS, COLS, KernelFixtures.widen(w), 1e-5, yd);
        for (int i = 0; i < y.length; i++) {
            assertEquals(ref[i], yd[i], 1e-14 * Math.abs(ref[i]));
        }
    }

    @Test
    void halfPrecisionRoundsTwiceLikeHuggingFace() {
        DType f16 = DType.FLOAT16;
        float[] x = KernelFixtures.random(3, ROWS * COLS, 3, f16);
        float[] w = KernelFixtures.random(4, COLS, 1.25f, f16);
        float[] y = new float[x.length];
        RmsNorm.apply(x, ROWS, COLS, w, 1e-5, y, Precision.of(f16));
        float[] ones = new float[COLS];
        java.util.Arrays.fill(ones, 1f);
        float[] normalized = new float[x.length];
        RmsNorm.apply(x, ROWS, COLS, ones, 1e-5, normalized, Precision.of(f16));
        double[] ref = reference(x, w, 1e-5);
        for (int i = 0; i < y.length; i++) {
            assertTrue(KernelFixtures.representable(y[i], f16));
            // second rounding: weight (f16) times the f16-rounded normalized value, rounded again
            assertEquals(f16.round(w[i % COLS] * normalized[i]), y[i], "i=" + i);
            // two roundings of 2^-11 plus the f32 part
            assertEquals(ref[i], y[i], 2.1 * 0x1p-11 * Math.abs(ref[i]) + 1e-7, "i=" + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"BFLOAT16, 2048", "FLOAT32, 2048", "FLOAT16, 64", "BFLOAT16, 37", "FLOAT32, 5"})
    void everyElementIsTheScalarExpressionInPlaceOrNot(DType dtype, int cols) {
        int rows = 4;
        Precision p = Precision.of(dtype);
        float[] x = KernelFixtures.random(3, rows * cols, 4, dtype);
        float[] w = KernelFixtures.random(4, cols, 2, dtype);
        x[cols + 3] = Float.NaN;
        w[1] = Float.NEGATIVE_INFINITY;
        float[] expected = new float[x.length];
        for (int t = 0; t < rows; t++) {
            double sumSquares = 0;
            for (int i = 0; i < cols; i++) {
                float v = x[t * cols + i];
                sumSquares += v * v;
            }
            float r = 1f / (float) Math.sqrt((float) (sumSquares / cols) + (float) 1e-5);
            for (int i = 0; i < cols; i++) {
                expected[t * cols + i] = p.round(w[i] * p.round(x[t * cols + i] * r));
            }
        }
        float[] out = new float[x.length];
        RmsNorm.apply(x, rows, cols, w, 1e-5, out, p);
        float[] inPlace = x.clone();
        RmsNorm.apply(inPlace, rows, cols, w, 1e-5, inPlace, p);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(out[i]), "i=" + i);
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(inPlace[i]), "in place, i=" + i);
        }
    }
}
