package dev.layerwise.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.numeric.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttentionTest {

    /** Straightforward float64 causal GQA attention: returns {probs [nH,T,T], ctx [T, nH*D]}. */
    private static double[][] reference(float[] q, float[] k, float[] v, int t, int nh, int nkv, int d) {
        double[] probs = new double[nh * t * t];
        double[] ctx = new double[t * nh * d];
        for (int h = 0; h < nh; h++) {
            int kvh = h / (nh / nkv);
            for (int i = 0; i < t; i++) {
                double[] s = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    double dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot += (double) q[i * nh * d + h * d + e] * k[j * nkv * d + kvh * d + e];
                    }
                    s[j] = dot / Math.sqrt(d);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j <= i; j++) {
                    probs[(h * t + i) * t + j] = s[j] / sum;
                    for (int e = 0; e < d; e++) {
                        ctx[i * nh * d + h * d + e] += s[j] / sum * v[j * nkv * d + kvh * d + e];
                    }
                }
            }
        }
        return new double[][] {probs, ctx};
    }

    @ParameterizedTest
    @CsvSource({"6, 4, 2, 8", "7, 6, 3, 4", "5, 4, 1, 16", "3, 2, 2, 4"})
    void matchesStraightforwardFloat64AttentionWithGroupedKeys(int t, int nh, int nkv, int d) {
        float[] q = KernelFixtures.random(1, t * nh * d, 2, DType.FLOAT32);
        float[] k = KernelFixtures.random(2, t * nkv * d, 2, DType.FLOAT32);
        float[] v = KernelFixtures.random(3, t * nkv * d, 1, DType.FLOAT32);
        double[][] ref = reference(q, k, v, t, nh, nkv, d);
        Precision p = Precision.of(DType.FLOAT32);
        float[] probs = new float[nh * t * t];
        float[] ctx = new float[t * nh * d];
        double[] probsD = new double[probs.length];
        double[] ctxD = new double[ctx.length];
        try (WorkerPool pool = new WorkerPool(2)) {
            Attention.probabilities(q, k, t, nh, nkv, d, probs, p, pool);
            Attention.context(probs, v, t, nh, nkv, d, ctx, p, pool);
            Attention.probabilities(KernelFixtures.widen(q), KernelFixtures.widen(k), t, nh, nkv, d, probsD, pool);
            Attention.context(probsD, KernelFixtures.widen(v), t, nh, nkv, d, ctxD, pool);
        }
        for (int i = 0; i < probs.length; i++) {
            assertEquals(ref[0][i], probs[i], 2e-6, "probs " + i);
            assertEquals(ref[0][i], probsD[i], 1e-14, "probs f64 " + i);
        }
        for (int i = 0; i < ctx.length; i++) {
            assertEquals(ref[1][i], ctx[i], 2e-6, "ctx " + i);
            assertEquals(ref[1][i], ctxD[i], 1e-14, "ctx f64 " + i);
        }
        // masked entries are exactly 0
        for (int h = 0; h < nh; h++) {
            for (int i = 0; i < t; i++) {
                for (int j = i + 1; j < t; j++) {
                    assertEquals(0f, probs[(h * t + i) * t + j]);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"FLOAT16", "BFLOAT16"})
    void halfPrecisionProbabilitiesAreRoundedAndIndependentOfThreads(DType dtype) {
        int t = 9;
        int nh = 4;
        int nkv = 2;
        int d = 8;
        float[] q = KernelFixtures.random(4, t * nh * d, 2, dtype);
        float[] k = KernelFixtures.random(5, t * nkv * d, 2, dtype);
        float[] v = KernelFixtures.random(6, t * nkv * d, 1, dtype);
        Precision p = Precision.of(dtype);
        float[][] probs = new float[2][nh * t * t];
        float[][] ctx = new float[2][t * nh * d];
        for (int threads = 1; threads <= 2; threads++) {
            try (WorkerPool pool = new WorkerPool(threads == 1 ? 1 : 3)) {
                Attention.probabilities(q, k, t, nh, nkv, d, probs[threads - 1], p, pool);
                Attention.context(probs[threads - 1], v, t, nh, nkv, d, ctx[threads - 1], p, pool);
            }
        }
        assertArrayEquals(probs[0], probs[1]);
        assertArrayEquals(ctx[0], ctx[1]);
        double[][] ref = reference(q, k, v, t, nh, nkv, d);
        double u = dtype.unitRoundoff();
        for (int i = 0; i < probs[0].length; i++) {
            assertTrue(KernelFixtures.representable(probs[0][i], dtype));
            assertEquals(ref[0][i], probs[0][i], 16 * u, "probs " + i);
        }
        for (int i = 0; i < ctx[0].length; i++) {
            assertTrue(KernelFixtures.representable(ctx[0][i], dtype));
            assertEquals(ref[1][i], ctx[0][i], 32 * u, "ctx " + i);
        }
    }

    /** The documented per-element arithmetic, one score / one context element at a time. */
    private static float[][] scalarFloat32(float[] q, float[] k, float[] v, int t, int nh, int nkv, int d,
            Precision p) {
        float scale = (float) (1 / Math.sqrt(d));
        float[] probs = new float[nh * t * t];
        float[] ctx = new float[t * nh * d];
        for (int h = 0; h < nh; h++) {
            int kvh = h / (nh / nkv);
            for (int i = 0; i < t; i++) {
                int row = (h * t + i) * t;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    float dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot = Math.fma(q[i * nh * d + h * d + e], k[j * nkv * d + kvh * d + e], dot);
                    }
                    probs[row + j] = p.round(p.round(dot) * scale);
                    max = Math.max(max, probs[row + j]);
                }
                float sum = 0;
                for (int j = 0; j <= i; j++) {
                    probs[row + j] = (float) Math.exp(probs[row + j] - max);
                    sum += probs[row + j];
                }
                float inv = 1f / sum;
                for (int j = 0; j <= i; j++) {
                    probs[row + j] = p.round(probs[row + j] * inv);
                }
            }
        }
        scalarContext(probs, v, t, nh, nkv, d, p, ctx);
        return new float[][] {probs, ctx};
    }

    private static void scalarContext(float[] probs, float[] v, int t, int nh, int nkv, int d, Precision p,
            float[] ctx) {
        for (int h = 0; h < nh; h++) {
            int kvh = h / (nh / nkv);
            for (int i = 0; i < t; i++) {
                for (int e = 0; e < d; e++) {
                    float acc = 0;
                    for (int j = 0; j < t; j++) {
                        acc = Math.fma(probs[(h * t + i) * t + j], v[j * nkv * d + kvh * d + e], acc);
                    }
                    ctx[i * nh * d + h * d + e] = p.round(acc);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 2, 1, 8, BFLOAT16", "9, 4, 2, 12, FLOAT16", "37, 4, 1, 64, BFLOAT16", "70, 2, 2, 40, FLOAT32",
        "17, 6, 3, 3, FLOAT32"})
    void vectorizedScoresAndContextAreBitIdenticalToOneElementAtATime(int t, int nh, int nkv, int d, DType dtype) {
        float[] q = KernelFixtures.random(7, t * nh * d, 2, dtype);
        float[] k = KernelFixtures.random(8, t * nkv * d, 2, dtype);
        float[] v = KernelFixtures.random(9, t * nkv * d, 1, dtype);
        Precision p = Precision.of(dtype);
        float[][] expected = scalarFloat32(q, k, v, t, nh, nkv, d, p);
        float[][] actual = vectorized(q, k, v, t, nh, nkv, d, p);
        assertArrayEquals(expected[0], actual[0]);
        assertArrayEquals(expected[1], actual[1]);
    }

    /** {probs, ctx} from {@link Attention} on two threads. */
    private static float[][] vectorized(float[] q, float[] k, float[] v, int t, int nh, int nkv, int d, Precision p) {
        float[] probs = new float[nh * t * t];
        float[] ctx = new float[t * nh * d];
        try (WorkerPool pool = new WorkerPool(2)) {
            Attention.probabilities(q, k, t, nh, nkv, d, probs, p, pool);
            Attention.context(probs, v, t, nh, nkv, d, ctx, p, pool);
        }
        return new float[][] {probs, ctx};
    }

    @ParameterizedTest
    @CsvSource({"BFLOAT16, 40", "FLOAT16, 13", "FLOAT32, 21", "BFLOAT16, 2"})
    void rowsWithNaNInfinitiesTiesAndHugeScoresAreBitIdenticalToOneElementAtATime(DType dtype, int t) {
        int nh = 4;
        int nkv = 2;
        int d = 16;
        float[] q = KernelFixtures.random(12, t * nh * d, 2, dtype);
        float[] k = KernelFixtures.random(13, t * nkv * d, 2, dtype);
        float[] v = KernelFixtures.random(14, t * nkv * d, 1, dtype);
        // head 0, last query: a NaN with a payload; head 1, query 1: +Infinity; head 2, query 0 and the last: all
        // zeros (every score ties); head 3: scores far beyond float16's range
        q[(t - 1) * nh * d + 3] = Float.intBitsToFloat(0x7fc12340);
        q[Math.min(1, t - 1) * nh * d + d + 5] = Float.POSITIVE_INFINITY;
        for (int e = 0; e < d; e++) {
            q[2 * d + e] = 0f;
            q[(t - 1) * nh * d + 2 * d + e] = 0f;
        }
        for (int i = 0; i < t; i++) {
            q[i * nh * d + 3 * d] = dtype == DType.FLOAT16 ? 60000f : 3e30f;
        }
        // keys 0 and 1 of the last key/value head NaN with different payloads: later rows hold two different NaN
        // scores, and the softmax of such a row is NaN everywhere (which payload is not fixed: see assertSameValues)
        if (t >= 2) {
            k[nkv == 1 ? 0 : d + 1] = Float.intBitsToFloat(0x7fc0abcd);
            k[nkv * d + (nkv == 1 ? 0 : d) + 2] = Float.intBitsToFloat(0xffc01234);
        }
        Precision p = Precision.of(dtype);
        float[][] expected = scalarFloat32(q, k, v, t, nh, nkv, d, p);
        float[][] actual = vectorized(q, k, v, t, nh, nkv, d, p);
        // every bit but NaN payloads (assertArrayEquals compares floatToIntBits: +0 and -0 differ, NaNs do not),
        // which neither code fixes: two NaNs give the first operand's, and the JIT may swap an add's operands
        assertArrayEquals(expected[0], actual[0], "probs");
        assertArrayEquals(expected[1], actual[1], "ctx");
        float[] probs = actual[0];
        assertTrue(Float.isNaN(probs[(t - 1) * t]), "the NaN row stays NaN");
        if (t >= 3) {
            int lastRowOfLastHead = ((nh - 1) * t + t - 1) * t;
            for (int s = 0; s < t; s++) {
                assertTrue(Float.isNaN(probs[lastRowOfLastHead + s]), "two NaN keys: all NaN, key " + s);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void contextStillSumsMaskedKeysWhenTheyCanChangeTheResult() {
        int t = 11;
        int nh = 2;
        int nkv = 1;
        int d = 16;
        Precision p = Precision.of(DType.FLOAT32);
        float[] probs = KernelFixtures.random(10, nh * t * t, 1, DType.FLOAT32);
        for (int h = 0; h < nh; h++) {
            for (int i = 0; i < t; i++) {
                for (int j = i + 1; j < t; j++) {
                    // masked: +0 or -0, except one tiny nonzero (as a perturbed step would leave it)
                    probs[(h * t + i) * t + j] = i == 3 && j == 9 ? Float.MIN_VALUE : (j % 2 == 0 ? 0f : -0f);
                }
            }
        }
        float[] v = KernelFixtures.random(11, t * nkv * d, 1, DType.FLOAT32);
        float[] expected = new float[t * nh * d];
        float[] ctx = new float[t * nh * d];
        try (WorkerPool pool = new WorkerPool(2)) {
            scalarContext(probs, v, t, nh, nkv, d, p, expected);
            Attention.context(probs, v, t, nh, nkv, d, ctx, p, pool);
            assertArrayEquals(expected, ctx);
            // an infinite value behind the mask: 0 * inf is NaN in every later row, as in the plain matmul
            v[10 * d + 5] = Float.POSITIVE_INFINITY;
            scalarContext(probs, v, t, nh, nkv, d, p, expected);
            Attention.context(probs, v, t, nh, nkv, d, ctx, p, pool);
        }
        assertTrue(Float.isNaN(ctx[0 * nh * d + 5]));
        assertArrayEquals(expected, ctx);
    }
}
