package dev.layerwise.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.numeric.DType;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The optimized accumulator against the naive in-order one from the spec: hash, counts, extrema (with the
 * sign of a zero) and shapes exactly; sums, row sums and sketch within the worst-case rounding error of
 * two float64 summation orders. A recursive float64 sum of n terms is off the exact sum by at most
 * (n-1)·u·Σ|x_i| (u = 2^-53); the lane order (8 lanes of ≤ ⌈n/8⌉ terms, 3 combining levels, and for the
 * sketch T - 2·N_j with T and N_j such sums) by at most (3n/8 + 16)·u·Σ|x_i|, so the two differ by at
 * most (2n + 16)·u·Σ|x_i|. Squares of float values are exact in float64, so Σ|x_i| for sum_sq is Σx_i².
 * Also: the 512-bit, 256-bit and scalar kernels give identical results, and so does any chunking of add calls.
 */
class StepAccumulatorEquivalenceTest {
    private static final double U = 0x1p-53;

    private static float[] values(long seed, int n, DType dtype, boolean specials) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            float x = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 4));
            v[i] = dtype.round(x);
            if (specials && r.nextInt(50) == 0) {
                float[] s = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f};
                v[i] = s[r.nextInt(s.length)];
            }
        }
        return v;
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @ParameterizedTest
    @CsvSource({"FLOAT16, 16, 0, false, 1000", "BFLOAT16, 16, 3, true, 777", "FLOAT32, 16, 0, true, 5000",
        "FLOAT64, 16, 9, false, 100", "FLOAT32, 5, 1, true, 333", "FLOAT16, 40, 2, false, 64", "FLOAT32, 0, 0, true, 17",
        "BFLOAT16, 16, 4, false, 12877"})
    void floatInputAgreesWithTheNaiveAccumulator(DType dtype, int k, long seed, boolean specials, int chunk) {
        long[] shape = {7, 3, 613};
        int n = 7 * 3 * 613;
        float[] v = values(seed, n, dtype, specials);
        SketchSpec spec = new SketchSpec(SketchSpec.RADEMACHER_SPLITMIX64, k, seed);
        StepAccumulator fast = new StepAccumulator(spec).begin("x", shape, dtype);
        ReferenceStepAccumulator ref = new ReferenceStepAccumulator(spec).begin("x", shape, dtype);
        for (int off = 0; off < n; off += chunk) {
            int len = Math.min(chunk, n - off);
            fast.add(v, off, len);
            ref.add(v, off, len);
        }
        assertAgrees(ref.finish(), fast.finish(), widen(v), 7);
    }

    @ParameterizedTest
    @CsvSource({"FLOAT64, 16", "FLOAT32, 16", "FLOAT16, 3"})
    void doubleInputAgreesWithTheNaiveAccumulator(DType dtype, int k) {
        long[] shape = {5, 9000};
        float[] f = values(11, 45000, dtype, true);
        double[] v = new double[f.length];
        Random r = new Random(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = dtype == DType.FLOAT64 ? f[i] * (1 + r.nextDouble() * 1e-9) : f[i];
        }
        SketchSpec spec = new SketchSpec(SketchSpec.RADEMACHER_SPLITMIX64, k, 0);
        StepAccumulator fast = new StepAccumulator(spec);
        ReferenceStepAccumulator ref = new ReferenceStepAccumulator(spec);
        // reuse across two steps
        for (int round = 0; round < 2; round++) {
            assertAgrees(ref.begin("y", shape, dtype).add(v).finish(), fast.begin("y", shape, dtype).add(v).finish(), v, 5);
        }
    }

    @Test
    void finiteValuesOnlyAgreeOnAStepShapedLikeTheEngines() {
        long[] shape = {38, 2048};
        float[] v = values(5, 38 * 2048, DType.BFLOAT16, false);
        Step ref = ReferenceStepAccumulator.of("h", shape, DType.BFLOAT16, v);
        Step fast = StepAccumulator.of("h", shape, DType.BFLOAT16, v);
        assertAgrees(ref, fast, widen(v), 38);
    }

    @ParameterizedTest
    @CsvSource({"FLOAT32, 16, true, 1", "BFLOAT16, 16, false, 2", "FLOAT16, 7, true, 3", "FLOAT64, 16, true, 4",
        "BFLOAT16, 20, false, 5"})
    void vectorAndScalarKernelsAreBitIdentical(DType dtype, int k, boolean specials, long seed) {
        long[] shape = {3, 5, 1001};
        float[] v = values(seed, 3 * 5 * 1001, dtype, specials);
        SketchSpec spec = new SketchSpec(SketchSpec.RADEMACHER_SPLITMIX64, k, seed);
        Step scalar = new StepAccumulator(spec, LaneAccumulator.VectorWidth.SCALAR).begin("x", shape, dtype).add(v).finish();
        Step v512 = new StepAccumulator(spec, LaneAccumulator.VectorWidth.VECTOR_512).begin("x", shape, dtype).add(v).finish();
        Step v256 = new StepAccumulator(spec, LaneAccumulator.VectorWidth.VECTOR_256).begin("x", shape, dtype).add(v).finish();
        assertEquals(scalar, v512);
        assertEquals(scalar, v256);
    }

    @ParameterizedTest
    @CsvSource({"1, true", "7, false", "64, true", "2047, false", "2049, true", "9999, true"})
    void resultsDoNotDependOnHowValuesAreChunked(int chunk, boolean specials) {
        long[] shape = {4, 2500};
        float[] v = values(chunk, 10000, DType.FLOAT32, specials);
        Step whole = StepAccumulator.of("x", shape, DType.FLOAT32, v);
        StepAccumulator acc = new StepAccumulator().begin("x", shape, DType.FLOAT32);
        for (int off = 0; off < v.length; off += chunk) {
            acc.add(v, off, Math.min(chunk, v.length - off));
        }
        assertEquals(whole, acc.finish());
    }

    /**
     * Runs of +0.0 (here a causal mask's, and runs that start and end anywhere, cross blocks, follow -0.0 or
     * non-finite values, or fill the step) are only counted, not added: the same step, bit for bit, as adding them.
     */
    @ParameterizedTest
    @CsvSource({"VECTOR_512, BFLOAT16, false", "VECTOR_256, BFLOAT16, true", "SCALAR, FLOAT32, true",
        "VECTOR_512, FLOAT16, true", "VECTOR_256, FLOAT32, false", "VECTOR_512, FLOAT64, true"})
    void runsOfZerosCountedGiveTheStepOfAddingThem(LaneAccumulator.VectorWidth width, DType dtype, boolean specials) {
        int heads = 3;
        int t = 203;
        long[] shape = {heads, t, t};
        float[] v = values(17, heads * t * t, dtype, specials);
        for (int h = 0; h < heads; h++) {
            for (int q = 0; q < t; q++) {
                for (int key = q + 1; key < t; key++) {
                    v[(h * t + q) * t + key] = 0f;
                }
            }
        }
        Random r = new Random(3);
        for (int run = 0; run < 40; run++) {
            int start = r.nextInt(v.length);
            int end = Math.min(v.length, start + r.nextInt(3000));
            java.util.Arrays.fill(v, start, end, run % 7 == 0 ? -0f : 0f);
        }
        float[] allZero = new float[4096];
        float[] firstNegative = new float[300];
        firstNegative[0] = -0f;
        firstNegative[299] = 1f;
        // whole chunks of zeros only: their zeros are the only ones, so the extrema depend on counting them
        float[] negativesAroundZeros = new float[320];
        java.util.Arrays.fill(negativesAroundZeros, 0, 128, -1.5f);
        java.util.Arrays.fill(negativesAroundZeros, 256, 320, -2f);
        float[] positivesAroundZeros = new float[320];
        java.util.Arrays.fill(positivesAroundZeros, 0, 128, 1.5f);
        java.util.Arrays.fill(positivesAroundZeros, 256, 320, 2f);
        float[] negativeZeroAfterZeros = new float[400];
        negativeZeroAfterZeros[256] = -0f;
        java.util.Arrays.fill(negativeZeroAfterZeros, 257, 400, 3f);
        SketchSpec spec = new SketchSpec(SketchSpec.RADEMACHER_SPLITMIX64, 16, 4);
        for (float[] values : new float[][] {v, allZero, firstNegative, negativesAroundZeros, positivesAroundZeros,
            negativeZeroAfterZeros}) {
            long[] s = values == v ? shape : new long[] {1, values.length};
            Step added = new StepAccumulator(spec, width, true, false).begin("x", s, dtype).add(values).finish();
            StepAccumulator counting = new StepAccumulator(spec, width, true, true).begin("x", s, dtype);
            for (int off = 0; off < values.length; off += 1237) {
                counting.add(values, off, Math.min(1237, values.length - off));
            }
            assertEquals(added, counting.finish());
        }
        Step zeros = StepAccumulator.of("z", new long[] {1, allZero.length}, dtype, allZero);
        assertEquals(allZero.length, zeros.stats().zeros());
        assertEquals(0.0, zeros.stats().min());
        assertEquals(0.0, zeros.stats().max());
        Step negative = StepAccumulator.of("n", new long[] {1, firstNegative.length}, dtype, firstNegative);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(negative.stats().min()),
                "the first zero is -0.0, as an in-order scan sees it");
    }

    /** 2-byte steps given as the bytes they are hashed as: the same step as from floats, in any vector width. */
    @ParameterizedTest
    @CsvSource({"VECTOR_512, BFLOAT16", "VECTOR_256, BFLOAT16", "SCALAR, BFLOAT16", "VECTOR_512, FLOAT16",
        "VECTOR_256, FLOAT16"})
    void halvesGivenAsBytesGiveTheStepOfTheirFloats(LaneAccumulator.VectorWidth width, DType dtype) {
        long[] shape = {5, 2001};
        float[] v = values(23, 5 * 2001, dtype, true);
        // signalling and quiet NaNs with payloads, subnormals, the largest finite values
        int[] halfBits = dtype == DType.BFLOAT16
                ? new int[] {0x7f81, 0xffc3, 0x0001, 0x807f, 0x7f7f, 0xff7f}
                : new int[] {0x7c01, 0xfe05, 0x0001, 0x83ff, 0x7bff, 0xfbff};
        for (int i = 0; i < halfBits.length; i++) {
            short bits = (short) halfBits[i];
            v[100 * i + 7] = dtype == DType.BFLOAT16 ? Float.intBitsToFloat(bits << 16) : Float.float16ToFloat(bits);
        }
        SketchSpec spec = new SketchSpec(SketchSpec.RADEMACHER_SPLITMIX64, 16, 2);
        Step fromFloats = new StepAccumulator(spec, width).begin("x", shape, dtype).add(v).finish();
        byte[] bytes = new byte[2 * v.length + 2];
        new StepDigest().encode(dtype, v, 0, v.length, bytes, 2);
        StepAccumulator fromBytes = new StepAccumulator(spec, width).begin("x", shape, dtype);
        for (int off = 0; off < v.length; off += 999) {
            fromBytes.addHalves(bytes, 1 + off, Math.min(999, v.length - off));
        }
        assertEquals(fromFloats, fromBytes.finish());
        StepAccumulator wide = new StepAccumulator(spec, width).begin("y", shape, DType.FLOAT32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wide.addHalves(bytes, 0, 1));
        assertEquals("y: 2-byte values given for a FLOAT32 step", e.getMessage());
    }

    private static void assertAgrees(Step ref, Step fast, double[] v, int rows) {
        assertEquals(ref.name(), fast.name());
        assertArrayEquals(ref.shape(), fast.shape());
        assertEquals(ref.dtype(), fast.dtype());
        assertEquals(ref.sha256(), fast.sha256());
        Stats r = ref.stats();
        Stats f = fast.stats();
        assertEquals(r.count(), f.count());
        assertEquals(r.min(), f.min(), "min");
        assertEquals(r.max(), f.max(), "max");
        assertEquals(r.nan(), f.nan());
        assertEquals(r.posInf(), f.posInf());
        assertEquals(r.negInf(), f.negInf());
        assertEquals(r.zeros(), f.zeros());
        int n = v.length;
        double abs = 0;
        double sq = 0;
        for (double x : v) {
            abs += Math.abs(x);
            sq += x * x;
        }
        assertClose(r.sum(), f.sum(), n, abs, "sum");
        assertClose(r.absSum(), f.absSum(), n, abs, "abs_sum");
        assertClose(r.sumSq(), f.sumSq(), n, sq, "sum_sq");
        int rowLength = n / rows;
        for (int row = 0; row < rows; row++) {
            double rowAbs = 0;
            double rowSq = 0;
            for (int i = row * rowLength; i < (row + 1) * rowLength; i++) {
                rowAbs += Math.abs(v[i]);
                rowSq += v[i] * v[i];
            }
            assertClose(ref.rowSums()[row], fast.rowSums()[row], rowLength, rowAbs, "row_sums[" + row + "]");
            assertClose(ref.rowSumSq()[row], fast.rowSumSq()[row], rowLength, rowSq, "row_sum_sq[" + row + "]");
        }
        assertEquals(ref.sketch().length, fast.sketch().length);
        for (int j = 0; j < ref.sketch().length; j++) {
            assertClose(ref.sketch()[j], fast.sketch()[j], n, abs, "sketch[" + j + "]");
        }
    }

    /** Non-finite results must be the same non-finite value; finite ones within (2n + 16)·u·Σ|x_i|. */
    private static void assertClose(double expected, double actual, int n, double absSum, String what) {
        if (!Double.isFinite(expected) || !Double.isFinite(actual)) {
            assertEquals(expected, actual, what);
            return;
        }
        double bound = (2.0 * n + 16) * U * absSum;
        assertTrue(Math.abs(expected - actual) <= bound,
                () -> what + ": " + actual + " vs " + expected + ", bound " + bound);
    }
}
