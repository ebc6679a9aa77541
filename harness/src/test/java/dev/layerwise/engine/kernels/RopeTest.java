package dev.layerwise.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.numeric.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RopeTest {

    @Test
    void rotatesTheTwoHalvesOfEachHeadNotInterleavedPairs() {
        // one token at position 1, one head of D = 4: frequencies 1 and 1/theta^(2/4) = 0.01
        float[] x = new float[8];
        float[] head = {1, 2, 3, 4};
        System.arraycopy(head, 0, x, 4, 4);
        double[] out = new double[8];
        Rope.apply(KernelFixtures.widen(x), 2, 1, 4, RopeTable.forDouble(2, 4, 10000), out);
        double f0 = 1;
        double f1 = 0.01;
        assertEquals(1 * Math.cos(f0) - 3 * Math.sin(f0), out[4], 1e-15);
        assertEquals(2 * Math.cos(f1) - 4 * Math.sin(f1), out[5], 1e-15);
        assertEquals(3 * Math.cos(f0) + 1 * Math.sin(f0), out[6], 1e-15);
        assertEquals(4 * Math.cos(f1) + 2 * Math.sin(f1), out[7], 1e-15);
        // position 0 is the identity
        assertEquals(0, out[0]);
    }

    @Test
    void float32MatchesFloat64AndHalfRoundsEveryOp() {
        int tokens = 9;
        int heads = 3;
        int d = 16;
        float[] x = KernelFixtures.random(1, tokens * heads * d, 2, DType.FLOAT16);
        double[] ref = new double[x.length];
        Rope.apply(KernelFixtures.widen(x), tokens, heads, d, RopeTable.forDouble(tokens, d, 500000), ref);
        float[] y32 = new float[x.length];
        Rope.apply(x, tokens, heads, d, RopeTable.forFloat(tokens, d, 500000, Precision.of(DType.FLOAT32)), y32,
                Precision.of(DType.FLOAT32));
        Precision p16 = Precision.of(DType.FLOAT16);
        RopeTable t16 = RopeTable.forFloat(tokens, d, 500000, p16);
        float[] y16 = new float[x.length];
        Rope.apply(x, tokens, heads, d, t16, y16, p16);
        for (int i = 0; i < x.length; i++) {
            assertEquals(ref[i], y32[i], 1e-5, "f32 i=" + i);
            // cos/sin rounded to f16 plus three roundings: a few half ulps of |x|
            assertEquals(ref[i], y16[i], 6 * 0x1p-11 * 2, "f16 i=" + i);
            assertTrue(KernelFixtures.representable(y16[i], DType.FLOAT16));
        }
        int half = d / 2;
        for (int i = 0; i < t16.cosF.length; i++) {
            assertTrue(KernelFixtures.representable(t16.cosF[i], DType.FLOAT16));
            assertTrue(KernelFixtures.representable(t16.sinF[i], DType.FLOAT16));
        }
        // element (t=2, h=1, i=3): round(round(x1*c) + round(-x2*s))
        int base = (2 * heads + 1) * d;
        float c = t16.cosF[2 * half + 3];
        float s = t16.sinF[2 * half + 3];
        float expected = p16.round(p16.round(x[base + 3] * c) + p16.round(-x[base + half + 3] * s));
        assertEquals(expected, y16[base + 3]);
    }

    @ParameterizedTest
    @CsvSource({"BFLOAT16, 64", "FLOAT32, 64", "FLOAT16, 64", "BFLOAT16, 48", "FLOAT32, 6", "BFLOAT16, 128"})
    void everyElementIsTheScalarExpressionInPlaceOrNot(DType dtype, int d) {
        int tokens = 5;
        int heads = 3;
        Precision p = Precision.of(dtype);
        float[] x = KernelFixtures.random(2, tokens * heads * d, 3, dtype);
        x[7] = Float.NaN;
        x[d + 1] = Float.POSITIVE_INFINITY;
        RopeTable table = RopeTable.forFloat(tokens, d, 10000, p);
        int half = d / 2;
        float[] expected = new float[x.length];
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * d;
                for (int i = 0; i < half; i++) {
                    float c = table.cosF[t * half + i];
                    float sn = table.sinF[t * half + i];
                    float x1 = x[base + i];
                    float x2 = x[base + half + i];
                    expected[base + i] = p.round(p.round(x1 * c) + p.round(-x2 * sn));
                    expected[base + half + i] = p.round(p.round(x2 * c) + p.round(x1 * sn));
                }
            }
        }
        float[] out = new float[x.length];
        Rope.apply(x, tokens, heads, d, table, out, p);
        float[] inPlace = x.clone();
        Rope.apply(inPlace, tokens, heads, d, table, inPlace, p);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(out[i]), "i=" + i);
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(inPlace[i]), "in place, i=" + i);
        }
    }
}
