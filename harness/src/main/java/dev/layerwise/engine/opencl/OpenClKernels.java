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
import dev.layerwise.trace.SketchSpec;
import dev.layerwise.trace.TopK;
import dev.layerwise.trace.TopLogit;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * The operations of {@code LlamaForward} as OpenCL kernels (kernels/*.cl) on device buffers: float32
 * arithmetic rounded to the model dtype at the same points as {@code Float32Arithmetic}, weights read in
 * their stored dtype. Activations stay on the device; a recorded step's statistics are reduced on the
 * device ({@link DeviceStatistics}). Every launch goes through {@link Launch}, which orders it by events
 * and plants the step's {@link GpuFaults}; in poison mode every step's output is filled with
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
    private final ClQueue queue;
    private final Precision precision;
    private final boolean poison;
    private final GpuFaults faults;
    private final DeviceWeights weights;
    private final DeviceStatistics statistics;
    private final Map<RopeTable, cl_mem[]> ropeTables = new IdentityHashMap<>();
    private final Map<Integer, ClBuffer> pool = new HashMap<>();
    private final List<ClBuffer> allocated = new ArrayList<>();
    private final List<cl_mem> runMemory = new ArrayList<>();
    private final StepSite site = new StepSite();
    /** The held-back producers of missing-wait consumers, by step, until the consumer has run. */
    private final Map<String, cl_event> gates = new HashMap<>();
    private float[] staging = new float[0];

    /** Kernels with their own weight uploads (released with {@code ctx}), hashing every recorded step. */
    public OpenClKernels(OpenClContext ctx, Precision precision, boolean poison, GpuFaults faults) {
        this(ctx, new DeviceWeights(ctx), precision, poison, faults, SketchSpec.DEFAULT, true);
    }

    /** Kernels of one run that share the weights already on the device. */
    OpenClKernels(OpenClContext ctx, DeviceWeights weights, Precision precision, boolean poison, GpuFaults faults,
            SketchSpec sketch, boolean hash) {
        this.ctx = ctx;
        this.queue = faults.needsSideQueue() ? ctx.queueWithSide() : ctx.inOrderQueue();
        this.precision = precision;
        this.poison = poison;
        this.faults = faults;
        this.weights = weights;
        this.statistics = new DeviceStatistics(ctx, queue, sketch, hash);
    }

    /** Waits for the run's commands and releases its activation buffers, tables and events (the weights stay). */
    void releaseBuffers() {
        queue.finishAndRelease();
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
        runMemory.forEach(ctx::release);
        runMemory.clear();
        statistics.release();
    }

    /** The build options that select the rounding of {@code dtype} in common.cl. */
    public static String buildOptions(DType dtype) {
        int code = switch (dtype) {
            case FLOAT32 -> 0;
            case FLOAT16 -> 1;
            case BFLOAT16 -> 2;
            default -> throw new IllegalArgumentException("no float32-compute precision for " + dtype);
        };
        return "-DMODEL_DTYPE=" + code + " -DSKETCH_BLOCK=" + DeviceStatistics.SKETCH_BLOCK
                + " -cl-fp32-correctly-rounded-divide-sqrt";
    }

    @Override
    public DType stepDtype() {
        return precision.dtype();
    }

    @Override
    public ClBuffer allocate(int length) {
        ClBuffer b = ctx.allocate(length);
        allocated.add(b);
        queue.fill(b, length, 0f); // like a new float[]: a skipped op's first output reads as zeros
        return b;
    }

    @Override
    public void beginStep(String name, ClBuffer out, int n) {
        site.begin(name);
        if (poison) {
            // a held-back producer's poison waits too: its consumer then reads what the buffer held before
            queue.fill(out, n, POISON, site.holdBack());
        }
    }

    /**
     * How the launches of the current step go wrong under its GPU fault: not enqueued, writing a pooled
     * buffer instead of the step's own, not waiting for its producers, or held back until a consumer that
     * does not wait for it has run (the producer side of missing-wait).
     */
    private final class StepSite implements Launch.Site {
        private GpuFaultKind fault;
        private cl_event holdBack;
        private String step;

        void begin(String name) {
            step = name;
            fault = faults.at(name);
            holdBack = faults.delaysProducer(name) ? gates.computeIfAbsent(name, n -> queue.gate(ctx.context())) : null;
        }

        void end() {
            step = null;
            fault = null;
            holdBack = null;
        }

        @Override
        public boolean enqueues() {
            return fault != GpuFaultKind.NOT_ENQUEUED;
        }

        @Override
        public ClBuffer redirect(ClBuffer out) {
            return fault != GpuFaultKind.STALE_POOLED_BUFFER ? out : pool.computeIfAbsent(out.length, ctx::allocate);
        }

        @Override
        public boolean waitsForProducers() {
            return fault != GpuFaultKind.MISSING_WAIT;
        }

        @Override
        public cl_event holdBack() {
            return holdBack;
        }

        /** The consumer that does not wait has run: only now may its delayed producers run. */
        @Override
        public void launched(cl_event event) {
            if (fault == GpuFaultKind.MISSING_WAIT) {
                ClQueue.await(event);
                for (String producer : faults.producersOf(step)) {
                    cl_event gate = gates.remove(producer);
                    if (gate != null) {
                        queue.open(gate);
                    }
                }
            }
        }
    }

    /** A launch of the current step's kernel (its GPU fault applies). */
    private Launch launch(String kernel) {
        return new Launch(queue, ctx.kernel(kernel), site);
    }

    /** A launch outside any step's op (fault injection after the op): no GPU fault applies. */
    private Launch plain(String kernel) {
        return new Launch(queue, ctx.kernel(kernel), Launch.Site.PLAIN);
    }

    @Override
    public void embed(WeightMatrix table, int[] tokens, ClBuffer out) {
        DeviceWeights.DeviceTensor w = weights.of(table.tensor());
        cl_mem ids = ctx.upload(tokens, "the token ids");
        runMemory.add(ids);
        launch("embed").mem(w.mem()).i(w.dtypeCode()).i(precision.roundsWeightsStoredAs(w.stored()))
                .i(table.cols()).mem(ids).out(out).run(table.cols(), tokens.length);
    }

    @Override
    public void rmsNorm(ClBuffer x, int rows, int cols, int meanOver, Tensor weight, double eps, ClBuffer out) {
        DeviceWeights.DeviceTensor w = weights.of(weight);
        launch("rms_norm").in(x).i(cols).mem(w.mem()).i(w.dtypeCode()).i(precision.roundsWeightsStoredAs(w.stored()))
                .i(meanOver).f((float) eps).out(out).runGroups(new long[] {(long) rows * NORM_GROUP}, new long[] {NORM_GROUP});
    }

    /** Dropped columns read as zero weights; half accumulation is the f16-accumulation GPU fault's kernel path. */
    @Override
    public void linear(ClBuffer x, int rows, WeightMatrix weight, LinearVariant variant, ClBuffer out) {
        DeviceWeights.DeviceTensor w = weights.of(weight.tensor());
        boolean roundW = precision.roundsWeightsStoredAs(w.stored());
        if (site.fault == GpuFaultKind.ATOMIC_REDUCTION) {
            if (!variant.equals(LinearVariant.STANDARD)) {
                throw LayerwiseException.badInput("--inject", null,
                        "atomic-reduction cannot be combined with drop-columns or half-accumulation on one step");
            }
            int n = rows * weight.rows();
            queue.fill(out, n, 0f, site.holdBack());
            int chunks = (weight.cols() + ATOMIC_CHUNK - 1) / ATOMIC_CHUNK;
            launch("linear_atomic").in(x).i(rows).i(weight.cols()).i(weight.rows()).i(ATOMIC_CHUNK)
                    .i(java.util.concurrent.ThreadLocalRandom.current().nextInt(chunks)).mem(w.mem())
                    .i(w.dtypeCode()).i(roundW).inOut(out)
                    .runGroups(new long[] {chunks, weight.rows(), rows}, new long[] {1, 1, 1});
            launch("linear_atomic_round").inOut(out).run(n);
            return;
        }
        launch("linear").in(x).i(rows).i(weight.cols()).i(weight.rows()).mem(w.mem()).i(w.dtypeCode()).i(roundW)
                .i(variant.columns(weight.cols()))
                .i(halfAccumulatorCode(variant)).out(out)
                .runGroups(new long[] {weight.rows(), rows}, new long[] {MATMUL_TILE, MATMUL_TILE});
    }

    /** The kernel's half_accumulate argument: the GPU fault's f16, the semantic fault's accumulator, or none (0). */
    private int halfAccumulatorCode(LinearVariant variant) {
        if (site.fault == GpuFaultKind.F16_ACCUMULATION) {
            return DeviceWeights.dtypeCode(DType.FLOAT16);
        }
        return variant.halfAccumulation() ? DeviceWeights.dtypeCode(variant.halfAccumulator()) : 0;
    }

    @Override
    public RopeTable ropeTable(int positions, int headDim, double theta) {
        return RopeTable.forFloat(positions, headDim, theta, precision);
    }

    @Override
    public void rope(ClBuffer x, int rows, int heads, int headDim, RopeTable table, RopeVariant variant, ClBuffer out) {
        cl_mem[] cs = ropeTables.computeIfAbsent(table, t -> new cl_mem[] {
            ctx.upload(t.floatCos(), "the RoPE cos table"), ctx.upload(t.floatSin(), "the RoPE sin table")});
        launch("rope").in(x).i(heads).i(headDim).mem(cs[0]).mem(cs[1]).i(variant.interleaved())
                .i(variant.positionOffset()).i(variant.firstShiftedToken()).out(out).run(headDim / 2, heads, rows);
    }

    @Override
    public void attentionProbabilities(ClBuffer q, ClBuffer k, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, ClBuffer probs) {
        float scale = (float) (variant.scaled() ? 1.0 / Math.sqrt(headDim) : 1.0);
        launch("attention_probs").in(q).in(k).i(tokens).i(heads).i(kvHeads).i(headDim).i(variant.causal())
                .i(variant.maskLookahead()).f(scale).i(variant.kvHeadModulo()).out(probs).run(tokens, heads);
    }

    @Override
    public void attentionContext(ClBuffer probs, ClBuffer v, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, ClBuffer ctxOut) {
        launch("attention_context").in(probs).in(v).i(tokens).i(heads).i(kvHeads).i(headDim)
                .i(variant.kvHeadModulo()).out(ctxOut).run(headDim, heads, tokens);
    }

    @Override
    public void add(ClBuffer a, ClBuffer b, int n, ClBuffer out) {
        launch("add").in(a).in(b).out(out).run(n);
    }

    @Override
    public void silu(ClBuffer x, int n, ClBuffer out) {
        launch("silu").in(x).out(out).run(n);
    }

    @Override
    public void multiply(ClBuffer a, ClBuffer b, int n, ClBuffer out) {
        launch("multiply").in(a).in(b).out(out).run(n);
    }

    @Override
    public void fill(ClBuffer buffer, int n, double value) {
        queue.fill(buffer, n, precision.round((float) value));
    }

    @Override
    public void scale(ClBuffer buffer, int from, int to, double factor) {
        plain("scale").inOut(buffer).i(from).d(factor).run(to - from);
    }

    @Override
    public void copy(ClBuffer from, ClBuffer to, int n) {
        queue.copy(from, to, n);
    }

    @Override
    public void perturbUlp(ClBuffer buffer, int from, int to, int ulps) {
        for (int u = 0; u < ulps; u++) {
            plain("perturb_ulp").inOut(buffer).i(from).run(to - from);
        }
    }

    /**
     * Reduces the step's statistics on the device and hands the recorder a summary that completes on
     * the host when they (and, when hashing, the values) have been read back; nothing here waits for the
     * device. With {@link StepRecorder#NONE} (timing the bare forward) nothing is enqueued.
     */
    @Override
    public void record(StepRecorder recorder, String name, long[] shape, ClBuffer buffer, int n) {
        site.end();
        if (recorder == StepRecorder.NONE) {
            return;
        }
        if (recorder.needsValues()) {
            recorder.record(name, shape, precision.dtype(), read(buffer, 0, n), n);
            return;
        }
        recorder.record(statistics.summarize(name, shape, precision.dtype(), buffer, n));
    }

    @Override
    public List<TopLogit> topK(ClBuffer buffer, int offset, int length, int k) {
        float[] host = new float[length];
        queue.read(buffer, offset, length, host);
        return TopK.of(host, 0, length, k);
    }

    /** {@code buffer[offset .. offset+n)} on the host, in a staging array reused from call to call. */
    float[] read(ClBuffer buffer, int offset, int n) {
        if (staging.length < n) {
            staging = new float[n];
        }
        queue.read(buffer, offset, n, staging);
        return staging;
    }

    /** Starts reading {@code buffer[0 .. n)} after its producers, without waiting; {@code get()} waits. */
    Supplier<float[]> readLater(ClBuffer buffer, int n) {
        ByteBuffer dst = ByteBuffer.allocateDirect(4 * Math.max(1, n)).order(ByteOrder.nativeOrder());
        cl_event read = ClQueue.retain(queue.readAsync(buffer.mem, 4L * n, dst));
        return () -> {
            ClQueue.awaitAndRelease(read);
            float[] v = new float[n];
            dst.asFloatBuffer().get(v);
            return v;
        };
    }

    /** Writes {@code values[0 .. n)} into {@code buffer} (tests, replay). */
    void write(ClBuffer buffer, float[] values, int n) {
        queue.write(buffer, values, n);
    }
}
