package dev.layerwise.engine.kernels;

import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out[t, o] = sum_i x[t, i] * W[o, i]} (a Linear layer without bias) for all tokens at once.
 *
 * <p>The float32 path vectorizes over tokens: x is transposed once per call into the token blocks of
 * {@link MatMulTile#blocks}, and work is split over panels of output rows that every block's tiles divide.
 * A panel decodes its weight rows once (from the stored dtype, before any arithmetic, so the bf16/f16 decode is
 * not in the inner loop) and, for every token block, runs {@link MatMulKernels}: lane t of each accumulator
 * computes output (token, row) as the plain sequential chain {@code s = fma(W[o, i], x[t, i], s)} for
 * i = 0, 1, ..., in-1 starting from 0. No horizontal reductions: every output's arithmetic is fixed whatever
 * thread, tile or block computes it, so the results are bit-identical for every thread count, every run and
 * every tile shape (AVX2 and AVX-512 give the same bits).
 */
public final class MatMul {
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Input columns per chunk: a panel's chunk of decoded weights (64 rows: 128 KiB) stays in the L2 cache. */
    static final int CHUNK_COLUMNS = 512;
    /** Tiles per panel: the tiles that reuse one chunk of activations from cache. */
    static final int PANEL_TILES = 8;
    /** Chunking chosen from the size of the activations. */
    private static final int AUTOMATIC = 0;
    /** Transposed activations above this size (e.g. 512 tokens of a 1B model, not 38) are worth panels. */
    static final long PANEL_ACTIVATION_BYTES = 2L << 20;

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
            linearHalfAccumulation(x, tokens, w, variant, out, p, pool, scratch);
            return;
        }
        linear(x, tokens, w, variant.columns(w.cols()), out, p, pool, scratch, MatMulTile.forTokens(tokens), AUTOMATIC);
    }

    /** The standard product with a given tile (tests run every kernel shape whatever this JVM prefers). */
    static void linear(float[] x, int tokens, WeightMatrix w, float[] out, Precision p, WorkerPool pool,
            Scratch scratch, MatMulTile tile) {
        linear(x, tokens, w, w.cols(), out, p, pool, scratch, tile, AUTOMATIC);
    }

    /**
     * ... in panels with a given number of input columns per chunk (tests use a few, so that every chain spans
     * chunks).
     */
    static void linear(float[] x, int tokens, WeightMatrix w, float[] out, Precision p, WorkerPool pool,
            Scratch scratch, MatMulTile tile, int chunkColumns) {
        linear(x, tokens, w, w.cols(), out, p, pool, scratch, tile, chunkColumns);
    }

    /**
     * The product over the first {@code kept} input columns (the others read as zero weights); {@code chunkColumns}
     * {@link #AUTOMATIC} or a chunk size that forces panels.
     *
     * <p>Large activations: work is split into panels of up to {@link #PANEL_TILES} tiles of output rows. A panel
     * decodes its rows {@link #CHUNK_COLUMNS} input columns at a time and runs every token block through every tile on that chunk
     * before the next: the chunk of weights and a block's chunk of activations stay in cache while a panel's tiles
     * reuse them, so the activations are read from memory once per panel instead of once per tile (at 512 tokens of
     * a 1B model they are megabytes). The accumulators are stored between chunks and continue the same chain.
     */
    private static void linear(float[] x, int tokens, WeightMatrix w, int kept, float[] out, Precision p,
            WorkerPool pool, Scratch scratch, MatMulTile tile, int chunkColumns) {
        if (tile.lanes() != MatMulKernels.LANES.length()) {
            throw new IllegalArgumentException(tile.describe() + ": this JVM's kernels use "
                    + MatMulKernels.LANES.length() + " lanes");
        }
        int in = w.cols();
        int outFeatures = w.rows();
        int lanes = tile.lanes();
        List<MatMulTile.Block> blocks = tile.blocks(tokens);
        float[] xt = transposeIntoBlocks(x, tokens, in, blocks, lanes, scratch.shared(tile.transposedLength(tokens, in)));
        // panels are whole units of rows that every block's tiles divide
        int unit = tile.rowUnit(tokens);
        int units = (outFeatures + unit - 1) / unit;
        // Small activations stay in the L2 cache anyway: one unit per task, whole rows (measured: panels there only
        // cost a cold run its JIT warm-up). Otherwise at least 4 panels per thread, so that the threads finish together.
        boolean panelled = chunkColumns > 0 || 4L * tile.transposedLength(tokens, in) > PANEL_ACTIVATION_BYTES;
        int unitsPerPanel = panelled
                ? Math.max(1, Math.min(Math.max(1, PANEL_TILES * tile.rows() / unit), units / (4 * pool.threads())))
                : 1;
        int panels = (units + unitsPerPanel - 1) / unitsPerPanel;
        int tokenLanes = tile.vectorsFor(tokens) * lanes;
        int chunk = !panelled ? in : Math.min(chunkColumns > 0 ? chunkColumns : CHUNK_COLUMNS, in);
        boolean roundWeights = p.roundsWeightsStoredAs(w.storedDtype());
        pool.forEach(panels, (worker, panel) -> {
            int o0 = panel * unitsPerPanel * unit;
            int panelRows = Math.min(unitsPerPanel, units - panel * unitsPerPanel) * unit;
            float[] wbuf = scratch.floats(worker, panelRows * chunk);
            // block b's accumulators from panelRows * (its first token), tile after tile, rows x block width each
            float[] acc = scratch.accumulators(worker, panelRows * tokenLanes);
            for (int k0 = 0; k0 < in; k0 += chunk) {
                int count = Math.min(chunk, in - k0);
                decodeChunk(w, o0, panelRows, k0, count, kept, wbuf, chunk, roundWeights, p);
                for (MatMulTile.Block b : blocks) {
                    int width = b.vectors() * lanes;
                    int xtOff = b.firstToken() * in + k0 * width;
                    for (int t = 0; t < panelRows / b.rows(); t++) {
                        MatMulKernels.run(b.rows(), b.vectors(), wbuf, t * b.rows() * chunk, chunk, xt, xtOff, count,
                                acc, panelRows * b.firstToken() + t * b.rows() * width, k0 > 0);
                    }
                }
            }
            for (MatMulTile.Block b : blocks) {
                int width = b.vectors() * lanes;
                for (int t = 0; t < panelRows / b.rows(); t++) {
                    int tileRow0 = o0 + t * b.rows();
                    int rows = Math.min(b.rows(), outFeatures - tileRow0);
                    int accOff = panelRows * b.firstToken() + t * b.rows() * width;
                    for (int j = 0; j < b.tokens(); j++) {
                        int base = (b.firstToken() + j) * outFeatures + tileRow0;
                        for (int r = 0; r < rows; r++) {
                            out[base + r] = p.round(acc[accOff + r * width + j]);
                        }
                    }
                }
            }
        });
    }

    /**
     * Decodes input columns {@code [k0, k0 + count)} of rows {@code o0 ..} into {@code wbuf[r * stride ..]}: rows past
     * the matrix and columns from {@code kept} on are zeros, weights are rounded to the compute dtype where it says so.
     */
    private static void decodeChunk(WeightMatrix w, int o0, int rows, int k0, int count, int kept, float[] wbuf,
            int stride, boolean roundWeights, Precision p) {
        int decoded = Math.max(0, Math.min(count, kept - k0));
        for (int r = 0; r < rows; r++) {
            int at = r * stride;
            if (o0 + r < w.rows() && decoded > 0) {
                w.decodeRow(o0 + r, k0, decoded, wbuf, at);
                if (roundWeights) {
                    p.round(wbuf, at, at + decoded);
                }
                java.util.Arrays.fill(wbuf, at + decoded, at + count, 0f);
            } else {
                java.util.Arrays.fill(wbuf, at, at + count, 0f);
            }
        }
    }

    /**
     * A projection whose running sum {@code s = round_half(fma(W[o, i], x[t, i], s))} is rounded to the variant's
     * half dtype after every term over the first {@code columns} inputs (as the opencl engine's half-accumulation
     * path); the output is then rounded to the model dtype. Scalar: it is a planted fault, not a fast path.
     */
    static void linearHalfAccumulation(float[] x, int tokens, WeightMatrix w, LinearVariant variant, float[] out,
            Precision p, WorkerPool pool, Scratch scratch) {
        int in = w.cols();
        int columns = variant.columns(in);
        int outFeatures = w.rows();
        boolean roundWeights = p.roundsWeightsStoredAs(w.storedDtype());
        Precision half = Precision.of(variant.halfAccumulator());
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

    /**
     * The block starting at token t0 holds {@code width} tokens (a whole block, or the last tokens rounded up to
     * whole vectors, padding 0): {@code xt[t0 * in + i * width + j] = x[(t0 + j) * in + i]}.
     */
    static float[] transposeIntoBlocks(float[] x, int tokens, int in, List<MatMulTile.Block> blocks, int lanes,
            float[] xt) {
        for (MatMulTile.Block b : blocks) {
            int t0 = b.firstToken();
            int count = b.tokens();
            int width = b.vectors() * lanes;
            if (count < width) {
                java.util.Arrays.fill(xt, t0 * in, t0 * in + width * in, 0f);
            }
            for (int j = 0; j < count; j++) {
                int src = (t0 + j) * in;
                int dst = t0 * in + j;
                for (int i = 0; i < in; i++) {
                    xt[dst + i * width] = x[src + i];
                }
            }
        }
        return xt;
    }

    /** Float64 (oracle): weights widened exactly, products accumulated in float64, nothing rounded. */
    public static void linear(double[] x, int tokens, WeightMatrix w, double[] out, WorkerPool pool, Scratch scratch) {
        linear(x, tokens, w, LinearVariant.STANDARD, out, pool, scratch);
    }

    /**
     * The float64 projection as {@code variant} says: dropped columns read as zero weights; half-precision
     * accumulation rounds the running sum to the variant's half dtype after every term.
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
                out[t * outFeatures + o] = variant.halfAccumulation()
                        ? halfAccumulatedDot(row, x, t * in, kept, Precision.of(variant.halfAccumulator()))
                        : dot(row, x, t * in, in, lanes);
            }
        });
    }

    private static double halfAccumulatedDot(double[] w, double[] x, int xo, int columns, Precision half) {
        double s = 0;
        for (int i = 0; i < columns; i++) {
            s = half.round((float) Math.fma(w[i], x[xo + i], s));
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
