package dev.layerwise.engine.opencl;

import dev.layerwise.numeric.DType;
import dev.layerwise.trace.RademacherSigns;
import dev.layerwise.trace.SketchSpec;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepAccumulator;
import dev.layerwise.trace.StepDigest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * A step's trace statistics reduced on the device by {@code kernels/stats.cl} in a fixed order (so they
 * are bit-identical from run to run on one device): only the statistics, row sums and sketch come back
 * per step, plus, when hashing, the values, whose SHA-256 is computed on the host by the recorder's
 * thread while the next kernels run. Without hashing the step has no {@code sha256}.
 */
final class DeviceStatistics {
    /** Values read back for hashing that may be in flight at once (each a host buffer of one step). */
    private static final int IN_FLIGHT = 3;
    private static final int LANES = 8;
    /**
     * Sketch rows per work-item of stats_partial (passed to the kernels as -DSKETCH_BLOCK). Each sketch sum stays one
     * work-item's sequential sum, so any block size gives the same bits; small blocks give a device 8 x rows x
     * (k / SKETCH_BLOCK) work-items instead of 8 x rows, which the statistics' latency needs at few tokens.
     */
    static final int SKETCH_BLOCK = 2;
    private static final int F_SKETCH = 12;
    /** sum, abs_sum, sum_sq, min, max, nan, pos_inf, neg_inf, zeros; then the sketch. */
    private static final int RESULTS = 9;

    private final OpenClContext ctx;
    private final ClQueue queue;
    private final SketchSpec sketch;
    private final boolean hash;
    private final StepDigest digest = new StepDigest();
    private final BlockingQueue<ByteBuffer> hostBuffers = new ArrayBlockingQueue<>(IN_FLIGHT);
    private final List<ClBuffer> scratch = new ArrayList<>();
    private ClBuffer partial;
    private ClBuffer lanes;
    private ClBuffer result;
    private cl_mem signs;
    private long signWords;
    private float[] chunk = new float[0];

    DeviceStatistics(OpenClContext ctx, ClQueue queue, SketchSpec sketch, boolean hash) {
        this.ctx = ctx;
        this.queue = queue;
        this.sketch = sketch;
        this.hash = hash;
        for (int i = 0; i < IN_FLIGHT; i++) {
            hostBuffers.add(ByteBuffer.allocateDirect(0));
        }
    }

    /**
     * Enqueues the reduction of {@code values[0 .. n)} (shape {@code shape}, stored as {@code dtype}) and
     * its read-back; the returned summary waits for them and builds the step.
     */
    Callable<Step> summarize(String name, long[] shape, DType dtype, ClBuffer values, int n) {
        int rows = (int) shape[0];
        if (n == 0 || rows == 0) {
            Step empty = new StepAccumulator(sketch).begin(name, shape, dtype).finish();
            return () -> hash ? empty : withoutHash(empty);
        }
        int k = sketch.k();
        int fields = F_SKETCH + 3 * k;
        long rowLength = n / rows;
        partial = grown(partial, (long) rows * LANES * fields);
        lanes = grown(lanes, (long) LANES * fields);
        result = grown(result, RESULTS + k + 2L * rows);
        cl_mem signTable = signsFor(n);
        int blocks = Math.max(1, (k + SKETCH_BLOCK - 1) / SKETCH_BLOCK);
        plain("stats_partial").in(values).l(rowLength).i(rows).mem(signTable).l(signWords).i(k).out(partial)
                .run(LANES, rows, blocks);
        plain("stats_lanes").in(partial).i(rows).i(k).out(lanes).run(LANES, fields);
        plain("stats_final").in(lanes).i(k).out(result).run(1);
        plain("stats_rows").in(partial).i(rows).i(k).inOut(result).i(RESULTS + k).run(rows);
        ByteBuffer summary = ByteBuffer.allocateDirect(8 * (RESULTS + k + 2 * rows)).order(ByteOrder.nativeOrder());
        // the summary may complete after the run has released its events: it keeps its own references
        cl_event summaryRead = ClQueue.retain(queue.readAsync(result.mem, summary.capacity(), summary));
        ByteBuffer data = hash ? hostBuffer(4L * n) : null;
        cl_event dataRead = hash ? ClQueue.retain(queue.readAsync(values.mem, 4L * n, data)) : null;
        return () -> {
            ClQueue.awaitAndRelease(summaryRead);
            String sha = null;
            if (dataRead != null) {
                ClQueue.awaitAndRelease(dataRead);
                sha = sha256(data, n, dtype);
                hostBuffers.offer(data);
            }
            return step(name, shape, dtype, n, rows, k, summary.asDoubleBuffer(), sha);
        };
    }

    private Launch plain(String kernel) {
        return new Launch(queue, ctx.kernel(kernel), Launch.Site.PLAIN);
    }

    private static Step step(String name, long[] shape, DType dtype, long n, int rows, int k, DoubleBuffer r,
            String sha) {
        double min = r.get(3);
        double max = r.get(4);
        boolean anyFinite = min <= max;
        Stats stats = new Stats(n, r.get(0), r.get(1), r.get(2), anyFinite ? min : null, anyFinite ? max : null,
                (long) r.get(5), (long) r.get(6), (long) r.get(7), (long) r.get(8));
        double[] sketchValues = new double[k];
        r.get(RESULTS, sketchValues);
        double[] rowSums = new double[rows];
        r.get(RESULTS + k, rowSums);
        double[] rowSumSq = new double[rows];
        r.get(RESULTS + k + rows, rowSumSq);
        return new Step(name, shape, dtype, stats, rowSums, rowSumSq, sketchValues, sha);
    }

    private static Step withoutHash(Step s) {
        return new Step(s.name(), s.shape(), s.dtype(), s.stats(), s.rowSums(), s.rowSumSq(), s.sketch(), null);
    }

    /** The SHA-256 of the float32 values in {@code data} as stored in {@code dtype} ({@link StepDigest}). */
    private String sha256(ByteBuffer data, int n, DType dtype) {
        FloatBuffer floats = data.order(ByteOrder.nativeOrder()).asFloatBuffer();
        digest.begin(dtype);
        if (chunk.length == 0) {
            chunk = new float[1 << 14];
        }
        for (int done = 0; done < n; done += chunk.length) {
            int m = Math.min(chunk.length, n - done);
            floats.get(done, chunk, 0, m);
            digest.addAll(chunk, 0, m);
        }
        return digest.finish();
    }

    /**
     * A free host buffer of at least {@code bytes}, waiting while all are in flight. On a queue that holds
     * commands back the steps being hashed may wait for a producer held back until a later step is enqueued
     * (the missing-wait fault): there another buffer is allocated instead of waiting.
     */
    private ByteBuffer hostBuffer(long bytes) {
        ByteBuffer b;
        try {
            b = queue.holdsBack() ? hostBuffers.poll() : hostBuffers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording", e);
        }
        return b != null && b.capacity() >= bytes ? b.clear() : ByteBuffer.allocateDirect(Math.toIntExact(bytes));
    }

    /** {@code current} if it holds {@code doubles}, else a new device buffer that does. */
    private ClBuffer grown(ClBuffer current, long doubles) {
        if (current != null && current.length >= 2 * doubles) {
            return current;
        }
        ClBuffer b = ctx.allocate(Math.toIntExact(2 * doubles));
        scratch.add(b);
        return b;
    }

    /** The sign table (k rows of {@link #signWords} words) covering {@code n} elements. */
    private cl_mem signsFor(long n) {
        long words = (n + 63) >>> 6;
        if (signs != null && signWords >= words) {
            return signs;
        }
        long[][] table = RademacherSigns.of(sketch).negativeBits(n);
        int width = table.length == 0 ? 1 : table[0].length;
        long[] flat = new long[Math.max(1, table.length * width)];
        for (int j = 0; j < table.length; j++) {
            System.arraycopy(table[j], 0, flat, j * width, width);
        }
        if (signs != null) {
            ctx.release(signs);
        }
        signs = ctx.upload(flat, "the sketch signs");
        signWords = width;
        return signs;
    }

    /** Releases the device buffers (after the run's commands have finished). */
    void release() {
        scratch.forEach(b -> ctx.release(b.mem));
        scratch.clear();
        partial = null;
        lanes = null;
        result = null;
        if (signs != null) {
            ctx.release(signs);
            signs = null;
        }
    }
}
