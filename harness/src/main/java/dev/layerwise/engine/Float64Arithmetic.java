package dev.layerwise.engine;

import dev.layerwise.engine.kernels.Activations;
import dev.layerwise.engine.kernels.Attention;
import dev.layerwise.engine.kernels.AttentionVariant;
import dev.layerwise.engine.kernels.LinearVariant;
import dev.layerwise.engine.kernels.MatMul;
import dev.layerwise.engine.kernels.Rope;
import dev.layerwise.engine.kernels.RopeTable;
import dev.layerwise.engine.kernels.RopeVariant;
import dev.layerwise.engine.kernels.RmsNorm;
import dev.layerwise.engine.kernels.Scratch;
import dev.layerwise.engine.kernels.WeightMatrix;
import dev.layerwise.engine.kernels.WorkerPool;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.TopK;
import dev.layerwise.trace.TopLogit;
import java.util.List;

/** The oracle: the stored weights widened exactly, every operation in float64, nothing rounded. */
public final class Float64Arithmetic implements Arithmetic<double[]> {
    private final WorkerPool pool;
    private final Scratch scratch;
    private double[] normWeight = new double[0];

    public Float64Arithmetic(WorkerPool pool) {
        this.pool = pool;
        this.scratch = new Scratch(pool.threads());
    }

    @Override
    public DType stepDtype() {
        return DType.FLOAT64;
    }

    @Override
    public double[] allocate(int length) {
        return new double[length];
    }

    @Override
    public void embed(WeightMatrix table, int[] tokens, double[] out) {
        for (int t = 0; t < tokens.length; t++) {
            table.decodeRow(tokens[t], out, t * table.cols());
        }
    }

    @Override
    public void rmsNorm(double[] x, int rows, int cols, int meanOver, Tensor weight, double eps, double[] out) {
        if (normWeight.length < cols) {
            normWeight = new double[cols];
        }
        for (int i = 0; i < cols; i++) {
            normWeight[i] = weight.getDouble(i);
        }
        RmsNorm.apply(x, rows, cols, meanOver, normWeight, eps, out);
    }

    @Override
    public void linear(double[] x, int rows, WeightMatrix weight, LinearVariant variant, double[] out) {
        MatMul.linear(x, rows, weight, variant, out, pool, scratch);
    }

    @Override
    public RopeTable ropeTable(int positions, int headDim, double theta) {
        return RopeTable.forDouble(positions, headDim, theta);
    }

    @Override
    public void rope(double[] x, int rows, int heads, int headDim, RopeTable table, RopeVariant variant,
            double[] out) {
        Rope.apply(x, rows, heads, headDim, table, variant, out);
    }

    @Override
    public void attentionProbabilities(double[] q, double[] k, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, double[] probs) {
        Attention.probabilities(q, k, tokens, heads, kvHeads, headDim, variant, probs, pool);
    }

    @Override
    public void attentionContext(double[] probs, double[] v, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, double[] ctx) {
        Attention.context(probs, v, tokens, heads, kvHeads, headDim, variant, ctx, pool);
    }

    @Override
    public void add(double[] a, double[] b, int n, double[] out) {
        Activations.add(a, b, n, out);
    }

    @Override
    public void silu(double[] x, int n, double[] out) {
        Activations.silu(x, n, out);
    }

    @Override
    public void multiply(double[] a, double[] b, int n, double[] out) {
        Activations.multiply(a, b, n, out);
    }

    @Override
    public void fill(double[] buffer, int n, double value) {
        java.util.Arrays.fill(buffer, 0, n, value);
    }

    @Override
    public void scale(double[] buffer, int from, int to, double factor) {
        for (int i = from; i < to; i++) {
            buffer[i] *= factor;
        }
    }

    @Override
    public void copy(double[] from, double[] to, int n) {
        System.arraycopy(from, 0, to, 0, n);
    }

    @Override
    public void perturbUlp(double[] buffer, int from, int to, int ulps) {
        for (int i = from; i < to; i++) {
            for (int u = 0; u < ulps && !Double.isNaN(buffer[i]); u++) {
                buffer[i] = Math.nextUp(buffer[i]);
            }
        }
    }

    @Override
    public void record(StepRecorder recorder, String name, long[] shape, double[] buffer, int n) {
        recorder.record(name, shape, DType.FLOAT64, buffer, n);
    }

    @Override
    public List<TopLogit> topK(double[] buffer, int offset, int length, int k) {
        return TopK.of(buffer, offset, length, k);
    }
}
