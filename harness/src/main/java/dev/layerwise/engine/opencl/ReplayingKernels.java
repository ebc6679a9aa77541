package dev.layerwise.engine.opencl;

import dev.layerwise.engine.Arithmetic;
import dev.layerwise.engine.StepRecorder;
import dev.layerwise.engine.kernels.AttentionVariant;
import dev.layerwise.engine.kernels.LinearVariant;
import dev.layerwise.engine.kernels.RopeTable;
import dev.layerwise.engine.kernels.RopeVariant;
import dev.layerwise.engine.kernels.WeightMatrix;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.TopLogit;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The opencl kernels with every step's op logged for {@link ReplayLog}: the op runs on the device as
 * usual, then the inputs it read are read back (without waiting: the read is ordered after the op's
 * producers) together with how to run the same op on the host. Only the first op of a step is its op;
 * what follows in the step (an injected fault's fill, scale, copy) is part of what the device recorded.
 */
final class ReplayingKernels implements Arithmetic<ClBuffer> {
    private final OpenClKernels gpu;
    private final ReplayLog log;
    private final Map<RopeTable, double[]> ropeThetas = new IdentityHashMap<>();
    private String step;
    private boolean opLogged;

    ReplayingKernels(OpenClKernels gpu, ReplayLog log) {
        this.gpu = gpu;
        this.log = log;
    }

    private void logOp(ReplayLog.HostOp op, ClBuffer... inputs) {
        if (step == null || opLogged) {
            return;
        }
        opLogged = true;
        List<Supplier<float[]>> reads = new ArrayList<>();
        for (ClBuffer input : inputs) {
            reads.add(gpu.readLater(input, input.length));
        }
        log.add(step, reads, op);
    }

    @Override
    public DType stepDtype() {
        return gpu.stepDtype();
    }

    @Override
    public ClBuffer allocate(int length) {
        return gpu.allocate(length);
    }

    @Override
    public void beginStep(String name, ClBuffer out, int n) {
        step = name;
        opLogged = false;
        gpu.beginStep(name, out, n);
    }

    @Override
    public void embed(WeightMatrix table, int[] tokens, ClBuffer out) {
        gpu.embed(table, tokens, out);
        int[] ids = tokens.clone();
        logOp(new ReplayLog.HostOp((a, in, o) -> a.embed(table, ids, o), (a, in, o) -> a.embed(table, ids, o)));
    }

    @Override
    public void rmsNorm(ClBuffer x, int rows, int cols, int meanOver, Tensor weight, double eps, ClBuffer out) {
        gpu.rmsNorm(x, rows, cols, meanOver, weight, eps, out);
        logOp(new ReplayLog.HostOp((a, in, o) -> a.rmsNorm(in[0], rows, cols, meanOver, weight, eps, o),
                (a, in, o) -> a.rmsNorm(in[0], rows, cols, meanOver, weight, eps, o)), x);
    }

    @Override
    public void linear(ClBuffer x, int rows, WeightMatrix weight, LinearVariant variant, ClBuffer out) {
        gpu.linear(x, rows, weight, variant, out);
        logOp(new ReplayLog.HostOp((a, in, o) -> a.linear(in[0], rows, weight, variant, o),
                (a, in, o) -> a.linear(in[0], rows, weight, variant, o)), x);
    }

    @Override
    public RopeTable ropeTable(int positions, int headDim, double theta) {
        RopeTable t = gpu.ropeTable(positions, headDim, theta);
        ropeThetas.put(t, new double[] {positions, headDim, theta});
        return t;
    }

    @Override
    public void rope(ClBuffer x, int rows, int heads, int headDim, RopeTable table, RopeVariant variant, ClBuffer out) {
        gpu.rope(x, rows, heads, headDim, table, variant, out);
        double[] p = ropeThetas.get(table);
        RopeTable exact = RopeTable.forDouble((int) p[0], (int) p[1], p[2]);
        logOp(new ReplayLog.HostOp((a, in, o) -> a.rope(in[0], rows, heads, headDim, table, variant, o),
                (a, in, o) -> a.rope(in[0], rows, heads, headDim, exact, variant, o)), x);
    }

    @Override
    public void attentionProbabilities(ClBuffer q, ClBuffer k, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, ClBuffer probs) {
        gpu.attentionProbabilities(q, k, tokens, heads, kvHeads, headDim, variant, probs);
        logOp(new ReplayLog.HostOp(
                (a, in, o) -> a.attentionProbabilities(in[0], in[1], tokens, heads, kvHeads, headDim, variant, o),
                (a, in, o) -> a.attentionProbabilities(in[0], in[1], tokens, heads, kvHeads, headDim, variant, o)),
                q, k);
    }

    @Override
    public void attentionContext(ClBuffer probs, ClBuffer v, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, ClBuffer ctx) {
        gpu.attentionContext(probs, v, tokens, heads, kvHeads, headDim, variant, ctx);
        logOp(new ReplayLog.HostOp(
                (a, in, o) -> a.attentionContext(in[0], in[1], tokens, heads, kvHeads, headDim, variant, o),
                (a, in, o) -> a.attentionContext(in[0], in[1], tokens, heads, kvHeads, headDim, variant, o)),
                probs, v);
    }

    @Override
    public void add(ClBuffer a, ClBuffer b, int n, ClBuffer out) {
        gpu.add(a, b, n, out);
        logOp(new ReplayLog.HostOp((f, in, o) -> f.add(in[0], in[1], n, o), (f, in, o) -> f.add(in[0], in[1], n, o)),
                a, b);
    }

    @Override
    public void silu(ClBuffer x, int n, ClBuffer out) {
        gpu.silu(x, n, out);
        logOp(new ReplayLog.HostOp((a, in, o) -> a.silu(in[0], n, o), (a, in, o) -> a.silu(in[0], n, o)), x);
    }

    @Override
    public void multiply(ClBuffer a, ClBuffer b, int n, ClBuffer out) {
        gpu.multiply(a, b, n, out);
        logOp(new ReplayLog.HostOp((f, in, o) -> f.multiply(in[0], in[1], n, o),
                (f, in, o) -> f.multiply(in[0], in[1], n, o)), a, b);
    }

    @Override
    public void fill(ClBuffer buffer, int n, double value) {
        gpu.fill(buffer, n, value);
    }

    @Override
    public void scale(ClBuffer buffer, int from, int to, double factor) {
        gpu.scale(buffer, from, to, factor);
    }

    @Override
    public void copy(ClBuffer from, ClBuffer to, int n) {
        gpu.copy(from, to, n);
        logOp(new ReplayLog.HostOp((a, in, o) -> a.copy(in[0], o, n), (a, in, o) -> a.copy(in[0], o, n)), from);
    }

    @Override
    public void perturbUlp(ClBuffer buffer, int from, int to, int ulps) {
        gpu.perturbUlp(buffer, from, to, ulps);
    }

    @Override
    public void record(StepRecorder recorder, String name, long[] shape, ClBuffer buffer, int n) {
        gpu.record(recorder, name, shape, buffer, n);
        log.shape(name, shape);
        step = null;
    }

    @Override
    public List<TopLogit> topK(ClBuffer buffer, int offset, int length, int k) {
        return gpu.topK(buffer, offset, length, k);
    }
}
