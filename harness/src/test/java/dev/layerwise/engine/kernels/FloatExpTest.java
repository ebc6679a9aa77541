package dev.layerwise.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FloatExpTest {

    /** Bit for bit {@code (float) Math.exp(x)} over {@code xs}, at every offset (vector body and scalar tail). */
    private static void assertSameAsScalar(float[] xs, String what) {
        float[] got = xs.clone();
        FloatExp.inPlace(got, 0, got.length, new double[FloatExp.CHUNK]);
        for (int i = 0; i < xs.length; i++) {
            int expected = Float.floatToRawIntBits((float) Math.exp(xs[i]));
            int actual = Float.floatToRawIntBits(got[i]);
            if (expected != actual) {
                assertEquals(Integer.toHexString(expected), Integer.toHexString(actual),
                        what + ": exp(" + xs[i] + ") [bits " + Integer.toHexString(Float.floatToRawIntBits(xs[i])) + "]");
            }
        }
    }

    @Test
    void everyFloatOfAStridedSweepOfAllBitPatterns() {
        // about 4.3 million floats spread over every exponent and sign, NaNs and infinities included
        int stride = 997;
        float[] xs = new float[(int) ((1L << 32) / stride) + 1];
        long bits = 0;
        for (int i = 0; i < xs.length; i++, bits += stride) {
            xs[i] = Float.intBitsToFloat((int) bits);
        }
        assertSameAsScalar(xs, "sweep");
    }

    @Test
    void denseRangesWhereTheResultsAreSubnormalNearOneOrOverflow() {
        // each range within one sign, so that its bit patterns are contiguous
        for (float[] range : new float[][] {{-104.5f, -86.5f}, {-0.01f, -0f}, {0f, 0.01f}, {88.0f, 89.5f}, {-20f, -0f}}) {
            int from = Float.floatToRawIntBits(range[0]);
            int to = Float.floatToRawIntBits(range[1]);
            int lo = Math.min(from, to);
            int hi = Math.max(from, to);
            int step = Math.max(1, (hi - lo) / 1_000_000);
            float[] xs = new float[(hi - lo) / step + 1];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = Float.intBitsToFloat(lo + i * step);
            }
            assertSameAsScalar(xs, Arrays.toString(range));
        }
    }

    @Test
    void specialValuesAndRandomSoftmaxInputsAtEveryOffset() {
        float[] special = {Float.NaN, Float.intBitsToFloat(0x7fc12345), Float.intBitsToFloat(0xffa00001),
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL, 1f, -1f, 88.72284f, -103.97208f, -87.33655f};
        assertSameAsScalar(special, "special values");
        SplittableRandom random = new SplittableRandom(7);
        for (int length = 0; length < 70; length++) {
            float[] xs = new float[length];
            for (int i = 0; i < length; i++) {
                xs[i] = (float) (-30 * random.nextDouble());
            }
            assertSameAsScalar(xs, "length " + length);
        }
    }

    @Test
    void onlyTheGivenRangeChanges() {
        float[] a = new float[40];
        Arrays.fill(a, 2f);
        FloatExp.inPlace(a, 3, 37, new double[FloatExp.CHUNK]);
        assertEquals(2f, a[2]);
        assertEquals((float) Math.exp(2f), a[3]);
        assertEquals((float) Math.exp(2f), a[36]);
        assertEquals(2f, a[37]);
    }

    @Test
    void inputsWhoseExpLiesNearAFloatRoundingBoundaryTakeTheScalarPathAndAgree() {
        // such inputs are rare (about one in a million); look for some among consecutive floats below zero
        float[] near = new float[16];
        int found = 0;
        for (int bits = Float.floatToRawIntBits(-1f); found < near.length && bits < Float.floatToRawIntBits(-8f); bits++) {
            float x = Float.intBitsToFloat(bits);
            double d = Math.exp(x);
            if ((float) (d * (1 - 0x1p-45)) != (float) (d * (1 + 0x1p-45))) {
                near[found++] = x;
            }
        }
        assertEquals(near.length, found, "inputs near a boundary between exp(-1) and exp(-8)");
        assertSameAsScalar(near, "near a rounding boundary");
    }

    @Test
    void shiftedExponentialsAreTheScalarExpressionOfTheFloatDifference() {
        SplittableRandom random = new SplittableRandom(11);
        float[] shifts = {0f, -0f, 3.25f, -7.5f, Float.POSITIVE_INFINITY, Float.NaN, 1e-30f};
        for (float shift : shifts) {
            for (int length : new int[] {0, 1, 7, 8, 9, 33, FloatExp.CHUNK + 5}) {
                float[] xs = new float[length + 2];
                for (int i = 0; i < xs.length; i++) {
                    xs[i] = i % 11 == 3 ? shift : (float) (20 * random.nextDouble() - 25);
                }
                xs[xs.length - 1] = Float.NaN;
                float[] got = xs.clone();
                FloatExp.shiftedInPlace(got, 1, 1 + length, shift, new double[FloatExp.CHUNK]);
                assertEquals(Float.floatToRawIntBits(xs[0]), Float.floatToRawIntBits(got[0]), "before the range");
                assertEquals(Float.floatToRawIntBits(xs[length + 1]), Float.floatToRawIntBits(got[length + 1]),
                        "after the range");
                for (int i = 1; i <= length; i++) {
                    int expected = Float.floatToRawIntBits((float) Math.exp(xs[i] - shift));
                    assertEquals(Integer.toHexString(expected), Integer.toHexString(Float.floatToRawIntBits(got[i])),
                            "exp(" + xs[i] + " - " + shift + ")");
                }
            }
        }
    }
}
