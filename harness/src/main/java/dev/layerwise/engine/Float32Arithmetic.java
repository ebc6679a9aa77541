package dev.layerwise.engine;

import dev.layerwise.engine.kernels.Activations;
import dev.layerwise.engine.kernels.Attention;
import dev.layerwise.engine.kernels.AttentionVariant;
import dev.layerwise.engine.kernels.LinearVariant;
import dev.layerwise.engine.kernels.MatMul;
import dev.layerwise.engine.kernels.Precision;
import dev.layerwise.engine.kernels.Rope;
import dev.layerwise.engine.kernels.RopeTable;
import dev.layerwise.engine.kernels.RopeVariant;
import dev.layerwise.engine.kernels.RmsNorm;
import dev.layerwise.engine.kernels.Scratch;
import dev.layerwise.engine.kernels.WeightMatrix;
import dev.layerwise.engine.kernels.WorkerPool;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.TopK;
import dev.layerwise.trace.TopLogit;
import java.util.List;

/** Float32 compute, rounded to the model dtype where Hugging Face rounds ({@link Precision}). */
public final class Float32Arithmetic implements Arithmetic<float[]> {
    /** Elements per task of an elementwise op: large enough that scheduling costs little. */
    private static final int ELEMENT_TILE = 16384;

    private final Precision precision;
    private final WorkerPool pool;
    private final Scratch scratch;
    private float[] normWeight = new float[0];

    public Float32Arithmetic(Precision precision, WorkerPool pool) {
        this.precision = precision;
        this.pool = pool;
        this.scratch = new Scratch(pool.threads());
    }

    @Override
    public DType stepDtype() {
        return precision.dtype();
    }

    @Override
    public float[] allocate(int length) {
        return new float[length];
    }

    @Override
    public void embed(WeightMatrix table, int[] tokens, float[] out) {
        int hidden = table.cols();
        boolean round = precision.roundsWeightsStoredAs(table.storedDtype());
        for (int t = 0; t < tokens.length; t++) {
            table.decodeRow(tokens[t], out, t * hidden);
            if (round) {
                precision.round(out, t * hidden, (t + 1) * hidden);
            }
        }
    }

    @Override
    public void rmsNorm(float[] x, int rows, int cols, int meanOver, Tensor weight, double eps, float[] out) {
        if (normWeight.length < cols) {
            normWeight = new float[cols];
        }
        for (int i = 0; i < cols; i++) {
            normWeight[i] = precision.round(weight.getFloat(i));
        }
        float[] w = normWeight;
        int tile = rowTile(cols);
        pool.forEach((rows + tile - 1) / tile, (worker, task) -> RmsNorm.apply(x, task * tile,
                Math.min(rows, (task + 1) * tile), cols, meanOver, w, eps, out, precision));
    }

    @Override
    public void linear(float[] x, int rows, WeightMatrix weight, LinearVariant variant, float[] out) {
        MatMul.linear(x, rows, weight, variant, out, precision, pool, scratch);
    }

    @Override
    public RopeTable ropeTable(int positions, int headDim, double theta) {
        return RopeTable.forFloat(positions, headDim, theta, precision);
    }

    @Override
    public void rope(float[] x, int rows, int heads, int headDim, RopeTable table, RopeVariant variant,
            float[] out) {
        int tile = rowTile(heads * headDim);
        pool.forEach((rows + tile - 1) / tile, (worker, task) -> Rope.apply(x, task * tile,
                Math.min(rows, (task + 1) * tile), heads, headDim, table, variant, out, precision));
    }

    @Override
    public void attentionProbabilities(float[] q, float[] k, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, float[] probs) {
        Attention.probabilities(q, k, tokens, heads, kvHeads, headDim, variant, probs, precision, pool, scratch);
    }

    @Override
    public void attentionContext(float[] probs, float[] v, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, float[] ctx) {
        Attention.context(probs, v, tokens, heads, kvHeads, headDim, variant, ctx, precision, pool, scratch);
    }

    @Override
    public void add(float[] a, float[] b, int n, float[] out) {
        pool.forEach(elementTiles(n), (worker, task) -> Activations.add(a, b, task * ELEMENT_TILE,
                Math.min(n, (task + 1) * ELEMENT_TILE), out, precision));
    }

    @Override
    public void silu(float[] x, int n, float[] out) {
        pool.forEach(elementTiles(n), (worker, task) -> Activations.silu(x, task * ELEMENT_TILE,
                Math.min(n, (task + 1) * ELEMENT_TILE), out, precision));
    }

    @Override
    public void multiply(float[] a, float[] b, int n, float[] out) {
        pool.forEach(elementTiles(n), (worker, task) -> Activations.multiply(a, b, task * ELEMENT_TILE,
                Math.min(n, (task + 1) * ELEMENT_TILE), out, precision));
    }

    /**
     * Elementwise ops and row-wise norms run as tasks over disjoint output ranges; every output element is
     * computed exactly as in one pass, so results do not depend on the number of threads.
     */
    private static int elementTiles(int n) {
        return (n + ELEMENT_TILE - 1) / ELEMENT_TILE;
    }

    private static int rowTile(int rowLength) {
        return Math.max(1, ELEMENT_TILE / Math.max(1, rowLength));
    }

    @Override
    public void fill(float[] buffer, int n, double value) {
        java.util.Arrays.fill(buffer, 0, n, precision.round((float) value));
    }

    @Override
    public void scale(float[] buffer, int from, int to, double factor) {
        for (int i = from; i < to; i++) {
            buffer[i] = precision.round((float) (buffer[i] * factor));
        }
    }

    @Override
    public void copy(float[] from, float[] to, int n) {
        System.arraycopy(from, 0, to, 0, n);
    }

    @Override
    public void perturbUlp(float[] buffer, int from, int to, int ulps) {
        for (int i = from; i < to; i++) {
            for (int u = 0; u < ulps; u++) {
                buffer[i] = nextUp(buffer[i], precision.dtype());
            }
        }
    }

    /** The next value above {@code v} representable in {@code dtype} (NaN and +Infinity stay). */
    static float nextUp(float v, DType dtype) {
        if (Float.isNaN(v) || v == Float.POSITIVE_INFINITY) {
            return v;
        }
        return switch (dtype) {
            case FLOAT16 -> Float.float16ToFloat(nextUpHalfBits(Float.floatToFloat16(v)));
            case BFLOAT16 -> BFloat16.toFloat(nextUpHalfBits(BFloat16.fromFloat(v)));
            default -> Math.nextUp(v);
        };
    }

    /** Sign-magnitude successor of 16-bit float bits (f16 and bf16 share the scheme). */
    private static short nextUpHalfBits(short bits) {
        int b = bits & 0xffff;
        if (b == 0x8000 || b == 0) {
            return 1;
        }
        return (short) ((b & 0x8000) == 0 ? b + 1 : b - 1);
    }

    @Override
    public void record(StepRecorder recorder, String name, long[] shape, float[] buffer, int n) {
        recorder.record(name, shape, precision.dtype(), buffer, n);
    }

    @Override
    public List<TopLogit> topK(float[] buffer, int offset, int length, int k) {
        return TopK.of(buffer, offset, length, k);
    }
}
