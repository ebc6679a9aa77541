package dev.layerwise.engine.kernels;

import dev.layerwise.numeric.DType;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out[t, o] = sum_i x[t, i] * W[o, i]} (a Linear layer without bias) for all tokens at once.
 *
 * <p>The float32 path vectorizes over tokens: x is transposed once per call into blocks of
 * {@value #BLOCK_TOKENS} tokens (zero-padded), and work is split over tiles of {@value #ROWS} output rows.
 * A tile decodes its weight rows once (from the stored dtype) and, for every token block, runs 4 x 5
 * vector accumulators where lane t of accumulator (r, v) computes output (token, row) as the plain
 * sequential chain {@code s = fma(W[o, i], x[t, i], s)} for i = 0, 1, ..., in-1 starting from 0. No
 * horizontal reductions: every output's arithmetic is fixed whatever thread or tile computes it, so the
 * results are bit-identical for every thread count and every run.
 */
public final class MatMul {
    static final VectorSpecies<Float> F = WeightMatrix.FLOATS;
    /** Token lanes: 8 floats; a 5-vector block covers 40 tokens (the 38-token prompt with little padding). */
    static final VectorSpecies<Float> TOKEN_LANES = FloatVector.SPECIES_256;
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    public static final int ROWS = 4;
    static final int TOKEN_VECTORS = 5;
    public static final int BLOCK_TOKENS = TOKEN_VECTORS * 8;

    private MatMul() {
    }

    /** Float32 compute: products accumulated in float32, each output rounded to the model dtype. */
    public static void linear(float[] x, int tokens, WeightMatrix w, float[] out, Precision p, WorkerPool pool,
            Scratch scratch) {
        linear(x, tokens, w, LinearVariant.STANDARD, out, p, pool, scratch);
    }

    /**
     * {@link #linear(float[], int, WeightMatrix, float[], Precision, WorkerPool, Scratch)} as {@code variant} says:
     * dropped columns read as zero weights (an fma with a zero weight leaves the sum unchanged, so the chain is the
     * one over the kept columns); half-precision accumulation runs {@link #linearHalfAccumulation}.
     */
    public static void linear(float[] x, int tokens, WeightMatrix w, LinearVariant variant, float[] out, Precision p,
            WorkerPool pool, Scratch scratch) {
        if (variant.halfAccumulation()) {
            linearHalfAccumulation(x, tokens, w, variant.columns(w.cols()), out, p, pool, scratch);
            return;
        }
        int in = w.cols();
        int kept = variant.columns(in);
        int outFeatures = w.rows();
        int blocks = (tokens + BLOCK_TOKENS - 1) / BLOCK_TOKENS;
        float[] xt = transposeIntoBlocks(x, tokens, in, scratch.shared(blocks * in * BLOCK_TOKENS));
        int tiles = (outFeatures + ROWS - 1) / ROWS;
        boolean roundWeights = p.roundsWeightsStoredAs(w.storedDtype());
        pool.forEach(tiles, (worker, tile) -> {
            float[] wbuf = scratch.floats(worker, ROWS * in);
            float[] result = scratch.lanes(worker);
            int o0 = tile * ROWS;
            int rows = Math.min(ROWS, outFeatures - o0);
            for (int r = 0; r < ROWS; r++) {
                if (r < rows) {
                    w.decodeRow(o0 + r, wbuf, r * in);
                    if (roundWeights) {
                        p.round(wbuf, r * in, r * in + in);
                    }
                    java.util.Arrays.fill(wbuf, r * in + kept, r * in + in, 0f);
                } else {
                    java.util.Arrays.fill(wbuf, r * in, r * in + in, 0f);
                }
            }
            for (int b = 0; b < blocks; b++) {
                block(wbuf, in, xt, b * in * BLOCK_TOKENS, result);
                int t0 = b * BLOCK_TOKENS;
                int count = Math.min(BLOCK_TOKENS, tokens - t0);
                for (int j = 0; j < count; j++) {
                    int base = (t0 + j) * outFeatures + o0;
                    for (int r = 0; r < rows; r++) {
                        out[base + r] = p.round(result[r * BLOCK_TOKENS + j]);
                    }
                }
            }
        });
    }

    /**
     * A projection whose running sum {@code s = round_f16(fma(W[o, i], x[t, i], s))} is rounded to float16 after
     * every term over the first {@code columns} inputs (as the opencl engine's f16-accumulation path); the output is
     * then rounded to the model dtype. Scalar: it is a planted fault, not a fast path.
     */
    static void linearHalfAccumulation(float[] x, int tokens, WeightMatrix w, int columns, float[] out, Precision p,
            WorkerPool pool, Scratch scratch) {
        int in = w.cols();
        int outFeatures = w.rows();
        boolean roundWeights = p.roundsWeightsStoredAs(w.storedDtype());
        Precision half = Precision.of(DType.FLOAT16);
        pool.forEach(outFeatures, (worker, o) -> {
            float[] row = scratch.floats(worker, in);
            w.decodeRow(o, row, 0);
            if (roundWeights) {
                p.round(row, 0, in);
            }
            for (int t = 0; t < tokens; t++) {
                int xo = t * in;
                float s = 0;
                for (int i = 0; i < columns; i++) {
                    s = half.round(Math.fma(row[i], x[xo + i], s));
                }
                out[t * outFeatures + o] = p.round(s);
            }
        });
    }

    /** {@code xt[(b * in + i) * BLOCK + j] = x[(b * BLOCK + j) * in + i]}, padding tokens are 0. */
    static float[] transposeIntoBlocks(float[] x, int tokens, int in, float[] xt) {
        int blocks = (tokens + BLOCK_TOKENS - 1) / BLOCK_TOKENS;
        java.util.Arrays.fill(xt, 0, blocks * in * BLOCK_TOKENS, 0f);
        for (int t = 0; t < tokens; t++) {
            int b = t / BLOCK_TOKENS;
            int j = t % BLOCK_TOKENS;
            int src = t * in;
            int dst = b * in * BLOCK_TOKENS + j;
            for (int i = 0; i < in; i++) {
                xt[dst + i * BLOCK_TOKENS] = x[src + i];
            }
        }
        return xt;
    }

    /**
     * Four weight rows times one block of 40 tokens: {@code result[r * 40 + j]} = the fma chain of row r
     * and token j of the block.
     */
    private static void block(float[] w, int in, float[] xt, int xtOff, float[] result) {
        VectorSpecies<Float> s = TOKEN_LANES;
        FloatVector a00 = FloatVector.zero(s), a01 = a00, a02 = a00, a03 = a00, a04 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a24 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00, a34 = a00;
        int w1 = in;
        int w2 = 2 * in;
        int w3 = 3 * in;
        for (int i = 0; i < in; i++) {
            int xo = xtOff + i * BLOCK_TOKENS;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector x1 = FloatVector.fromArray(s, xt, xo + 8);
            FloatVector x2 = FloatVector.fromArray(s, xt, xo + 16);
            FloatVector x3 = FloatVector.fromArray(s, xt, xo + 24);
            FloatVector x4 = FloatVector.fromArray(s, xt, xo + 32);
            FloatVector r = FloatVector.broadcast(s, w[i]);
            a00 = r.fma(x0, a00);
            a01 = r.fma(x1, a01);
            a02 = r.fma(x2, a02);
            a03 = r.fma(x3, a03);
            a04 = r.fma(x4, a04);
            r = FloatVector.broadcast(s, w[w1 + i]);
            a10 = r.fma(x0, a10);
            a11 = r.fma(x1, a11);
            a12 = r.fma(x2, a12);
            a13 = r.fma(x3, a13);
            a14 = r.fma(x4, a14);
            r = FloatVector.broadcast(s, w[w2 + i]);
            a20 = r.fma(x0, a20);
            a21 = r.fma(x1, a21);
            a22 = r.fma(x2, a22);
            a23 = r.fma(x3, a23);
            a24 = r.fma(x4, a24);
            r = FloatVector.broadcast(s, w[w3 + i]);
            a30 = r.fma(x0, a30);
            a31 = r.fma(x1, a31);
            a32 = r.fma(x2, a32);
            a33 = r.fma(x3, a33);
            a34 = r.fma(x4, a34);
        }
        a00.intoArray(result, 0);
        a01.intoArray(result, 8);
        a02.intoArray(result, 16);
        a03.intoArray(result, 24);
        a04.intoArray(result, 32);
        a10.intoArray(result, 40);
        a11.intoArray(result, 48);
        a12.intoArray(result, 56);
        a13.intoArray(result, 64);
        a14.intoArray(result, 72);
        a20.intoArray(result, 80);
        a21.intoArray(result, 88);
        a22.intoArray(result, 96);
        a23.intoArray(result, 104);
        a24.intoArray(result, 112);
        a30.intoArray(result, 120);
        a31.intoArray(result, 128);
        a32.intoArray(result, 136);
        a33.intoArray(result, 144);
        a34.intoArray(result, 152);
    }

    /** Float64 (oracle): weights widened exactly, products accumulated in float64, nothing rounded. */
    public static void linear(double[] x, int tokens, WeightMatrix w, double[] out, WorkerPool pool, Scratch scratch) {
        linear(x, tokens, w, LinearVariant.STANDARD, out, pool, scratch);
    }

    /**
     * The float64 projection as {@code variant} says: dropped columns read as zero weights; half-precision
     * accumulation rounds the running sum to float16 after every term (the oracle has no half dtype of its own).
     */
    public static void linear(double[] x, int tokens, WeightMatrix w, LinearVariant variant, double[] out,
            WorkerPool pool, Scratch scratch) {
        int in = w.cols();
        int kept = variant.columns(in);
        int outFeatures = w.rows();
        pool.forEach(outFeatures, (worker, o) -> {
            double[] row = scratch.doubles(worker, in);
            double[] lanes = scratch.doubleLanes(worker);
            w.decodeRow(o, row, 0);
            java.util.Arrays.fill(row, kept, in, 0);
            for (int t = 0; t < tokens; t++) {
                out[t * outFeatures + o] = variant.halfAccumulation() ? halfAccumulatedDot(row, x, t * in, kept)
                        : dot(row, x, t * in, in, lanes);
            }
        });
    }

    private static double halfAccumulatedDot(double[] w, double[] x, int xo, int columns) {
        double s = 0;
        for (int i = 0; i < columns; i++) {
            s = Float.float16ToFloat(Float.floatToFloat16((float) Math.fma(w[i], x[xo + i], s)));
        }
        return s;
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
