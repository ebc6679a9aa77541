package dev.layerwise.engine.opencl;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.Arithmetic;
import dev.layerwise.engine.StepRecorder;
import dev.layerwise.engine.kernels.AttentionVariant;
import dev.layerwise.engine.kernels.LinearVariant;
import dev.layerwise.engine.kernels.Precision;
import dev.layerwise.engine.kernels.RopeTable;
import dev.layerwise.engine.kernels.RopeVariant;
import dev.layerwise.engine.kernels.WeightMatrix;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.TopK;
import dev.layerwise.trace.TopLogit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jocl.cl_mem;

/**
 * The operations of {@code LlamaForward} as OpenCL kernels (kernels/*.cl) on device buffers: float32
 * arithmetic rounded to the model dtype at the same points as {@code Float32Arithmetic}, weights read in
 * their stored dtype. Activations stay on the device; a recorded step is read back for its statistics
 * and hash. Also plants {@link GpuFaults} and, in poison mode, fills every step's output with
 * {@link #POISON} before its kernel runs.
 */
public final class OpenClKernels implements Arithmetic<ClBuffer> {
    /** The poison sentinel: a quiet NaN with a recognisable payload. */
    public static final float POISON = Float.intBitsToFloat(0x7fc0bad0);
    /** Work-group edge of the tiled matrix product (TILE in matmul.cl). */
    static final int MATMUL_TILE = 16;
    /** Inputs per partial sum of the atomic-reduction fault. */
    static final int ATOMIC_CHUNK = 8;
    private static final int NORM_GROUP = 64;

    private final OpenClContext ctx;
    private final Precision precision;
    private final boolean poison;
    private final GpuFaults faults;
    private final DeviceWeights weights;
    private final Map<RopeTable, cl_mem[]> ropeTables = new IdentityHashMap<>();
    private final Map<Integer, ClBuffer> pool = new HashMap<>();
    private float[] staging = new float[0];
    private GpuFaultKind stepFault;

    private final List<ClBuffer> allocated = new ArrayList<>();

    /** Kernels with their own weight uploads (released with {@code ctx}). */
    public OpenClKernels(OpenClContext ctx, Precision precision, boolean poison, GpuFaults faults) {
        this(ctx, new DeviceWeights(ctx), precision, poison, faults);
    }

    /** Kernels of one run that share the weights already on the device. */
    OpenClKernels(OpenClContext ctx, DeviceWeights weights, Precision precision, boolean poison, GpuFaults faults) {
        this.ctx = ctx;
        this.precision = precision;
        this.poison = poison;
        this.faults = faults;
        this.weights = weights;
    }

    /** Releases the activation buffers and tables of this run (the weights stay). */
    void releaseBuffers() {
        for (ClBuffer b : allocated) {
            ctx.release(b.mem);
        }
        allocated.clear();
        for (ClBuffer b : pool.values()) {
            ctx.release(b.mem);
        }
        pool.clear();
        for (cl_mem[] t : ropeTables.values()) {
            ctx.release(t[0]);
            ctx.release(t[1]);
        }
        ropeTables.clear();
    }

    /** The build options that select the rounding of {@code dtype} in common.cl. */
    public static String buildOptions(DType dtype) {
        int code = switch (dtype) {
            case FLOAT32 -> 0;
            case FLOAT16 -> 1;
            case BFLOAT16 -> 2;
            default -> throw new IllegalArgumentException("no float32-compute precision for " + dtype);
        };
        return "-DMODEL_DTYPE=" + code + " -cl-fp32-correctly-rounded-divide-sqrt";
    }

    @Override
    public DType stepDtype() {
        return precision.dtype();
    }

    @Override
    public ClBuffer allocate(int length) {
        ClBuffer b = ctx.allocate(length);
        allocated.add(b);
        ctx.fill(b, length, 0f); // like a new float[]: a skipped op's first output reads as zeros
        return b;
    }

    @Override
    public void beginStep(String name, ClBuffer out, int n) {
        stepFault = faults.at(name);
        if (poison) {
            ctx.fill(out, n, POISON);
        }
    }

    private Launch launch(String kernel) {
        return new Launch(ctx.queue(), ctx.kernel(kernel));
    }

    /** False when the step's fault is that its kernel is never enqueued. */
    private boolean enqueues() {
        return stepFault != GpuFaultKind.NOT_ENQUEUED;
    }

    /**
     * Where the step's kernel writes: {@code out}, or under the stale-pooled-buffer fault another buffer
     * from the pool (so {@code out}, which the consumers read, is never written).
     */
    private ClBuffer target(ClBuffer out) {
        if (stepFault != GpuFaultKind.STALE_POOLED_BUFFER) {
            return out;
        }
        return pool.computeIfAbsent(out.length, ctx::allocate);
    }

    @Override
    public void embed(WeightMatrix table, int[] tokens, ClBuffer out) {
        if (!enqueues()) {
            return;
        }
        DeviceWeights.DeviceTensor w = weights.of(table.tensor());
        cl_mem ids = ctx.upload(tokens, "the token ids");
        try {
            launch("embed").mem(w.mem()).i(w.dtypeCode()).i(precision.roundsWeightsStoredAs(w.stored()))
                    .i(table.cols()).mem(ids).buf(target(out)).run(table.cols(), tokens.length);
            ctx.finish();
        } finally {
            ctx.release(ids);
        }
    }

    @Override
    public void rmsNorm(ClBuffer x, int rows, int cols, int meanOver, Tensor weight, double eps, ClBuffer out) {
        if (!enqueues()) {
            return;
        }
        DeviceWeights.DeviceTensor w = weights.of(weight);
        launch("rms_norm").buf(x).i(cols).mem(w.mem()).i(w.dtypeCode()).i(precision.roundsWeightsStoredAs(w.stored()))
                .i(meanOver).f((float) eps).buf(target(out))
                .runGroups(new long[] {(long) rows * NORM_GROUP}, new long[] {NORM_GROUP});
    }

    /** Dropped columns read as zero weights; half accumulation is the f16-accumulation GPU fault's kernel path. */
    @Override
    public void linear(ClBuffer x, int rows, WeightMatrix weight, LinearVariant variant, ClBuffer out) {
        if (!enqueues()) {
            return;
        }
        DeviceWeights.DeviceTensor w = weights.of(weight.tensor());
        boolean roundW = precision.roundsWeightsStoredAs(w.stored());
        ClBuffer dst = target(out);
        if (stepFault == GpuFaultKind.ATOMIC_REDUCTION) {
            if (!variant.equals(LinearVariant.STANDARD)) {
                throw LayerwiseException.badInput("--inject", null,
                        "atomic-reduction cannot be combined with drop-columns or half-accumulation on one step");
            }
            int n = rows * weight.rows();
            ctx.fill(dst, n, 0f);
            int chunks = (weight.cols() + ATOMIC_CHUNK - 1) / ATOMIC_CHUNK;
            launch("linear_atomic").buf(x).i(rows).i(weight.cols()).i(weight.rows()).i(ATOMIC_CHUNK)
                    .i(java.util.concurrent.ThreadLocalRandom.current().nextInt(chunks)).mem(w.mem())
                    .i(w.dtypeCode()).i(roundW).buf(dst).runGroups(new long[] {chunks, weight.rows(), rows}, new long[] {1, 1, 1});
            launch("linear_atomic_round").buf(dst).run(n);
            return;
        }
        launch("linear").buf(x).i(rows).i(weight.cols()).i(weight.rows()).mem(w.mem()).i(w.dtypeCode()).i(roundW)
                .i(variant.columns(weight.cols()))
                .i(stepFault == GpuFaultKind.F16_ACCUMULATION || variant.halfAccumulation()).buf(dst)
                .runGroups(new long[] {weight.rows(), rows}, new long[] {MATMUL_TILE, MATMUL_TILE});
    }

    @Override
    public RopeTable ropeTable(int positions, int headDim, double theta) {
        return RopeTable.forFloat(positions, headDim, theta, precision);
    }

    @Override
    public void rope(ClBuffer x, int rows, int heads, int headDim, RopeTable table, RopeVariant variant, ClBuffer out) {
        if (!enqueues()) {
            return;
        }
        cl_mem[] cs = ropeTables.computeIfAbsent(table, t -> new cl_mem[] {
            ctx.upload(t.floatCos(), "the RoPE cos table"), ctx.upload(t.floatSin(), "the RoPE sin table")});
        launch("rope").buf(x).i(heads).i(headDim).mem(cs[0]).mem(cs[1]).i(variant.interleaved())
                .i(variant.positionOffset()).i(variant.firstShiftedToken()).buf(target(out)).run(headDim / 2, heads, rows);
    }

    @Override
    public void attentionProbabilities(ClBuffer q, ClBuffer k, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, ClBuffer probs) {
        if (!enqueues()) {
            return;
        }
        float scale = (float) (variant.scaled() ? 1.0 / Math.sqrt(headDim) : 1.0);
        launch("attention_probs").buf(q).buf(k).i(tokens).i(heads).i(kvHeads).i(headDim).i(variant.causal())
                .i(variant.maskLookahead()).f(scale).i(variant.kvHeadModulo()).buf(target(probs)).run(tokens, heads);
    }

    @Override
    public void attentionContext(ClBuffer probs, ClBuffer v, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, ClBuffer ctxOut) {
        if (!enqueues()) {
            return;
        }
        launch("attention_context").buf(probs).buf(v).i(tokens).i(heads).i(kvHeads).i(headDim)
                .i(variant.kvHeadModulo()).buf(target(ctxOut)).run(headDim, heads, tokens);
    }

    @Override
    public void add(ClBuffer a, ClBuffer b, int n, ClBuffer out) {
        if (enqueues()) {
            launch("add").buf(a).buf(b).buf(target(out)).run(n);
        }
    }

    @Override
    public void silu(ClBuffer x, int n, ClBuffer out) {
        if (enqueues()) {
            launch("silu").buf(x).buf(target(out)).run(n);
        }
    }

    @Override
    public void multiply(ClBuffer a, ClBuffer b, int n, ClBuffer out) {
        if (enqueues()) {
            launch("multiply").buf(a).buf(b).buf(target(out)).run(n);
        }
    }

    @Override
    public void fill(ClBuffer buffer, int n, double value) {
        ctx.fill(buffer, n, precision.round((float) value));
    }

    @Override
    public void scale(ClBuffer buffer, int from, int to, double factor) {
        launch("scale").buf(buffer).i(from).d(factor).run(to - from);
    }

    @Override
    public void copy(ClBuffer from, ClBuffer to, int n) {
        ctx.copy(from, to, n);
    }

    @Override
    public void perturbUlp(ClBuffer buffer, int from, int to, int ulps) {
        for (int u = 0; u < ulps; u++) {
            launch("perturb_ulp").buf(buffer).i(from).run(to - from);
        }
    }

    /**
     * Reads the step back (waiting for its kernels) and hands it to the recorder on the host; with
     * {@link StepRecorder#NONE} (timing the bare forward) nothing is read and the kernels run on.
     */
    @Override
    public void record(StepRecorder recorder, String name, long[] shape, ClBuffer buffer, int n) {
        stepFault = null;
        if (recorder == StepRecorder.NONE) {
            return;
        }
        float[] host = read(buffer, 0, n);
        recorder.record(name, shape, precision.dtype(), host, n);
    }

    @Override
    public List<TopLogit> topK(ClBuffer buffer, int offset, int length, int k) {
        float[] host = new float[length];
        ctx.read(buffer, offset, length, host);
        return TopK.of(host, 0, length, k);
    }

    /** {@code buffer[offset .. offset+n)} on the host, in a staging array reused from call to call. */
    float[] read(ClBuffer buffer, int offset, int n) {
        if (staging.length < n) {
            staging = new float[n];
        }
        ctx.read(buffer, offset, n, staging);
        return staging;
    }
}
