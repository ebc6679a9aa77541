package dev.layerwise.engine.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out[t, o] = sum_i x[t, i] * W[o, i]} (a Linear layer without bias) for all tokens at once.
 *
 * <p>Work is split over tiles of {@value #ROWS} output rows; a tile decodes its weight rows once (from
 * the stored dtype) and reuses them for every token, {@value #TOKENS} tokens at a time. Every output
 * element is reduced the same way whichever path or thread computes it: lane {@code l} of one vector
 * accumulator sums (with FMA) the products at i = l mod L in increasing i; the lanes are then added in
 * lane order; the scalar tail (i beyond the last full vector) follows in increasing i. Hence results
 * are bit-identical for every thread count and every run.
 */
public final class MatMul {
    static final VectorSpecies<Float> F = WeightMatrix.FLOATS;
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    public static final int ROWS = 4;
    public static final int TOKENS = 4;

    private MatMul() {
    }

    /** Float32 compute: products accumulated in float32, each output rounded to the model dtype. */
    public static void linear(float[] x, int tokens, WeightMatrix w, float[] out, Precision p, WorkerPool pool,
            Scratch scratch) {
        int in = w.cols();
        int outFeatures = w.rows();
        int tiles = (outFeatures + ROWS - 1) / ROWS;
        boolean roundWeights = p.roundsWeightsStoredAs(w.storedDtype());
        pool.forEach(tiles, (worker, tile) -> {
            float[] wbuf = scratch.floats(worker, ROWS * in);
            float[] lanes = scratch.lanes(worker);
            int o0 = tile * ROWS;
            int rows = Math.min(ROWS, outFeatures - o0);
            for (int r = 0; r < rows; r++) {
                w.decodeRow(o0 + r, wbuf, r * in);
                if (roundWeights) {
                    p.round(wbuf, r * in, r * in + in);
                }
            }
            int t = 0;
            if (rows == ROWS) {
                for (; t + TOKENS <= tokens; t += TOKENS) {
                    block4x4(wbuf, x, t, in, lanes);
                    for (int j = 0; j < TOKENS; j++) {
                        for (int r = 0; r < ROWS; r++) {
                            out[(t + j) * outFeatures + o0 + r] = p.round(lanes[r * TOKENS + j]);
                        }
                    }
                }
            }
            for (; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    out[t * outFeatures + o0 + r] = p.round(dot(wbuf, r * in, x, t * in, in, lanes));
                }
            }
        });
    }

    /**
     * Four weight rows times four tokens; writes the 16 finished sums to {@code result[r * 4 + j]}
     * ({@code result} needs 16 * L + 16 floats: the lane dumps follow the results).
     */
    private static void block4x4(float[] w, float[] x, int t0, int in, float[] result) {
        int lanes = F.length();
        int upper = in - in % lanes;
        int w0 = 0;
        int w1 = in;
        int w2 = 2 * in;
        int w3 = 3 * in;
        int x0 = t0 * in;
        int x1 = x0 + in;
        int x2 = x1 + in;
        int x3 = x2 + in;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int i = 0; i < upper; i += lanes) {
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + i);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + i);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + i);
            FloatVector v3 = FloatVector.fromArray(F, x, x3 + i);
            FloatVector r = FloatVector.fromArray(F, w, w0 + i);
            a00 = r.fma(v0, a00);
            a01 = r.fma(v1, a01);
            a02 = r.fma(v2, a02);
            a03 = r.fma(v3, a03);
            r = FloatVector.fromArray(F, w, w1 + i);
            a10 = r.fma(v0, a10);
            a11 = r.fma(v1, a11);
            a12 = r.fma(v2, a12);
            a13 = r.fma(v3, a13);
            r = FloatVector.fromArray(F, w, w2 + i);
            a20 = r.fma(v0, a20);
            a21 = r.fma(v1, a21);
            a22 = r.fma(v2, a22);
            a23 = r.fma(v3, a23);
            r = FloatVector.fromArray(F, w, w3 + i);
            a30 = r.fma(v0, a30);
            a31 = r.fma(v1, a31);
            a32 = r.fma(v2, a32);
            a33 = r.fma(v3, a33);
        }
        int d = ROWS * TOKENS;
        a00.intoArray(result, d);
        a01.intoArray(result, d + lanes);
        a02.intoArray(result, d + 2 * lanes);
        a03.intoArray(result, d + 3 * lanes);
        a10.intoArray(result, d + 4 * lanes);
        a11.intoArray(result, d + 5 * lanes);
        a12.intoArray(result, d + 6 * lanes);
        a13.intoArray(result, d + 7 * lanes);
        a20.intoArray(result, d + 8 * lanes);
        a21.intoArray(result, d + 9 * lanes);
        a22.intoArray(result, d + 10 * lanes);
        a23.intoArray(result, d + 11 * lanes);
        a30.intoArray(result, d + 12 * lanes);
        a31.intoArray(result, d + 13 * lanes);
        a32.intoArray(result, d + 14 * lanes);
        a33.intoArray(result, d + 15 * lanes);
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < TOKENS; j++) {
                float s = sumLanes(result, d + (r * TOKENS + j) * lanes, lanes);
                int wo = r * in;
                int xo = (t0 + j) * in;
                for (int i = upper; i < in; i++) {
                    s = Math.fma(w[wo + i], x[xo + i], s);
                }
                result[r * TOKENS + j] = s;
            }
        }
    }

    /** One output element, reduced exactly as {@link #block4x4} reduces each of its elements. */
    static float dot(float[] w, int wo, float[] x, int xo, int in, float[] scratchLanes) {
        int lanes = F.length();
        int upper = in - in % lanes;
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < upper; i += lanes) {
            acc = FloatVector.fromArray(F, w, wo + i).fma(FloatVector.fromArray(F, x, xo + i), acc);
        }
        acc.intoArray(scratchLanes, 0);
        float s = sumLanes(scratchLanes, 0, lanes);
        for (int i = upper; i < in; i++) {
            s = Math.fma(w[wo + i], x[xo + i], s);
        }
        return s;
    }

    private static float sumLanes(float[] a, int off, int lanes) {
        float s = a[off];
        for (int l = 1; l < lanes; l++) {
            s += a[off + l];
        }
        return s;
    }

    /** Float64 (oracle): weights widened exactly, products accumulated in float64, nothing rounded. */
    public static void linear(double[] x, int tokens, WeightMatrix w, double[] out, WorkerPool pool, Scratch scratch) {
        int in = w.cols();
        int outFeatures = w.rows();
        pool.forEach(outFeatures, (worker, o) -> {
            double[] row = scratch.doubles(worker, in);
            double[] lanes = scratch.doubleLanes(worker);
            w.decodeRow(o, row, 0);
            for (int t = 0; t < tokens; t++) {
                out[t * outFeatures + o] = dot(row, x, t * in, in, lanes);
            }
        });
    }

    static double dot(double[] w, double[] x, int xo, int in, double[] scratchLanes) {
        int lanes = D.length();
        int upper = in - in % lanes;
        DoubleVector acc = DoubleVector.zero(D);
        for (int i = 0; i < upper; i += lanes) {
            acc = DoubleVector.fromArray(D, w, i).fma(DoubleVector.fromArray(D, x, xo + i), acc);
        }
        acc.intoArray(scratchLanes, 0);
        double s = scratchLanes[0];
        for (int l = 1; l < lanes; l++) {
            s += scratchLanes[l];
        }
        for (int i = upper; i < in; i++) {
            s = Math.fma(w[i], x[xo + i], s);
        }
        return s;
    }
}
