package dev.layerwise.engine;

import dev.layerwise.engine.kernels.WorkerPool;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.BatchedStepHashes;
import dev.layerwise.trace.SketchSpec;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepAccumulator;
import dev.layerwise.trace.StepDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Turns every recorded step into a trace {@link Step} with the shared {@link StepAccumulator}.
 *
 * <p>In background mode a step's values are copied into one of a few reusable buffers (large float16/bfloat16 steps
 * as the 2-byte values their hash covers) and summarized on a separate thread while the forward pass goes on, so
 * that hashing and statistics overlap with the next matrix products. Steps are still summarized one at a time, in
 * order, by one accumulator, and from the second forward pass of a JVM on, where the CPU has no SHA-256
 * instructions, their SHA-256 is computed several steps at once ({@link BatchedStepHashes}): the results are the
 * same as in the foreground. The launcher turns the batching off ({@value #SINGLE_STREAM_HASH}) where the JVM runs
 * without C2, the only compiler that turns the batch hasher's vector code into vector instructions.
 *
 * <p>Where the engine's worker threads fill every core, a thread of the recorder's own would take a core from a
 * worker whenever the operating system lets it, and the other workers would then wait for that one at the end of
 * each matrix product: its time showed in full in the wall time. There the summaries run instead as side jobs of the
 * engine's {@link WorkerPool} ({@link #sharingThreadsOf}), still one at a time and in order, between two tasks of the
 * engine's next parallel calls wherever the other threads have enough of the call left to cover the summary.
 */
public final class TraceRecorder implements StepRecorder, AutoCloseable {
    /** Copies of steps waiting to be summarized, at most: with a thread of the recorder's own. */
    private static final int IN_FLIGHT = 3;
    /** ... and as side jobs of the pool, which run only inside the engine's parallel calls (steps may queue first). */
    private static final int IN_FLIGHT_SHARED = 6;
    /**
     * float16/bfloat16 steps of at least this many values are copied as their 2-byte values: that halves the bytes
     * written and read back where a step outgrows the caches. A smaller step's float copy stays in cache, and the
     * vector code that narrows and widens it would run unoptimized through the whole of a short cold run (measured:
     * a cold {@code check} of the tiny preset, 37 steps of at most 19,456 values, 0.05 to 0.1 s slower).
     */
    static final int HALVES_FROM = 1 << 16;
    /** The array type {@link #take} hands out for 2-byte copies. */
    private static final byte[] BYTES = new byte[0];
    /** System property: {@code true} hashes each step on its own with {@code MessageDigest}. */
    static final String SINGLE_STREAM_HASH = "layerwise.singleStreamHash";
    /**
     * Background recorders created in this JVM. The first hashes step by step: the batch hasher's vector code runs
     * unoptimized until the JIT has compiled it, which one forward pass does not pay back (measured: a cold
     * {@code run} of a 1B model 0.1 to 1.3 s slower); the forward passes after it (rerun, bench) batch.
     */
    private static final AtomicInteger FORWARDS = new AtomicInteger();

    /** Set in background mode when steps are hashed in batches; used by one summary at a time, in order. */
    private final BatchedStepHashes hashes;
    private final StepAccumulator accumulator;
    private final List<Step> steps = new ArrayList<>();
    /** The recorder's own thread, or null. */
    private final ExecutorService background;
    /** The pool whose side jobs summarize the steps, or null. */
    private final WorkerPool sharedPool;
    private final BlockingQueue<Object> freeBuffers;
    /** Writes the bytes of 2-byte steps on the recording thread (the summaries have their own). */
    private final StepDigest encoder = new StepDigest();
    private final List<Future<?>> pending = new ArrayList<>();

    /** Summarizes each step before {@code record} returns. */
    public TraceRecorder(SketchSpec sketch) {
        this(sketch, false);
    }

    /** In background mode, summarizes the steps on a thread of its own. */
    public TraceRecorder(SketchSpec sketch, boolean inBackground) {
        this(sketch, inBackground, null);
    }

    /** Summarizes the steps as side jobs of {@code pool} (see the class comment). */
    public static TraceRecorder sharingThreadsOf(SketchSpec sketch, WorkerPool pool) {
        return new TraceRecorder(sketch, true, pool);
    }

    private TraceRecorder(SketchSpec sketch, boolean inBackground, WorkerPool pool) {
        this.hashes = inBackground && !Boolean.getBoolean(SINGLE_STREAM_HASH) && FORWARDS.getAndIncrement() > 0
                && BatchedStepHashes.paysHere() ? new BatchedStepHashes() : null;
        this.accumulator = hashes != null ? StepAccumulator.withoutHash(sketch) : new StepAccumulator(sketch);
        this.sharedPool = pool;
        this.background = inBackground && pool == null ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "layerwise-recorder");
            t.setDaemon(true);
            return t;
        }) : null;
        int buffers = !inBackground ? 0 : pool == null ? IN_FLIGHT : IN_FLIGHT_SHARED;
        this.freeBuffers = new ArrayBlockingQueue<>(Math.max(1, buffers));
        for (int i = 0; i < buffers; i++) {
            freeBuffers.add(new float[0]);
        }
    }

    /** True when steps are summarized after {@code record} returns. */
    private boolean deferred() {
        return background != null || sharedPool != null;
    }

    @Override
    public void record(String name, long[] shape, DType dtype, float[] values, int length) {
        if (!deferred()) {
            steps.add(accumulator.begin(name, shape, dtype).add(values, 0, length).finish());
            return;
        }
        if (dtype.byteSize() == 2 && length >= HALVES_FROM) {
            recordHalves(name, shape, dtype, values, length);
            return;
        }
        float[] copy = (float[]) take(values, length);
        System.arraycopy(values, 0, copy, 0, length);
        submit(length, () -> {
            int index = steps.size();
            steps.add(accumulator.begin(name, shape, dtype).add(copy, 0, length).finish());
            if (hashes != null) {
                hashes.add(dtype, copy, length, sha256Of(index));
            }
            freeBuffers.add(copy);
        });
    }

    /**
     * Keeps a float16/bfloat16 step as the 2-byte values its hash covers: half the memory and memory traffic of a
     * float copy, and the summary hashes the bytes as they are.
     */
    private void recordHalves(String name, long[] shape, DType dtype, float[] values, int length) {
        byte[] copy = (byte[]) take(BYTES, 2 * length);
        encoder.encode(dtype, values, 0, length, copy, 0);
        submit(length, () -> {
            int index = steps.size();
            steps.add(accumulator.begin(name, shape, dtype).addHalves(copy, 0, length).finish());
            if (hashes != null) {
                hashes.addBytes(copy, 2 * length, sha256Of(index));
            }
            freeBuffers.add(copy);
        });
    }

    @Override
    public void record(String name, long[] shape, DType dtype, double[] values, int length) {
        if (!deferred()) {
            steps.add(accumulator.begin(name, shape, dtype).add(values, 0, length).finish());
            return;
        }
        double[] copy = (double[]) take(values, length);
        System.arraycopy(values, 0, copy, 0, length);
        submit(length, () -> {
            int index = steps.size();
            steps.add(accumulator.begin(name, shape, dtype).add(copy, 0, length).finish());
            if (hashes != null) {
                hashes.add(dtype, copy, length, sha256Of(index));
            }
            freeBuffers.add(copy);
        });
    }

    /** In background mode the summary completes (and is hashed) on the recorder's thread, in order. */
    @Override
    public void record(Callable<Step> summarized) {
        if (!deferred()) {
            steps.add(complete(summarized));
            return;
        }
        submit(1, () -> steps.add(complete(summarized)));
    }

    private static Step complete(Callable<Step> summarized) {
        try {
            return summarized.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("summarizing a step failed", e);
        }
    }

    /** Sets the {@code sha256} of step {@code index} when the batch hasher has it (on the recorder's thread). */
    private Consumer<String> sha256Of(int index) {
        return hash -> steps.set(index, steps.get(index).withSha256(hash));
    }

    /** A free buffer of the array type of {@code like} with room for {@code length}, waiting while all are in use. */
    private Object take(Object like, int length) {
        Object buffer = freeBuffers.poll();
        // every buffer in use: their summaries wait in the pool's queue (no product is running now), so run them here
        while (buffer == null && sharedPool != null && sharedPool.runOneAside()) {
            buffer = freeBuffers.poll();
        }
        try {
            if (buffer == null) {
                buffer = freeBuffers.take();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording", e);
        }
        if (like instanceof float[]) {
            return buffer instanceof float[] f && f.length >= length ? f : new float[length];
        }
        if (like instanceof byte[]) {
            return buffer instanceof byte[] b && b.length >= length ? b : new byte[length];
        }
        return buffer instanceof double[] d && d.length >= length ? d : new double[length];
    }

    /** Queues a summary of {@code values} values (its size, for the pool's scheduling). */
    private void submit(long values, Runnable task) {
        pending.add(sharedPool != null ? sharedPool.runAside(task, values) : background.submit(task));
    }

    /** The steps recorded so far, in order (waits for background work). */
    public List<Step> steps() {
        if (hashes != null) {
            submit(1, hashes::flush);
        }
        if (sharedPool != null) {
            sharedPool.runAllAside();
        }
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while recording", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("recording failed", e.getCause());
            }
        }
        pending.clear();
        return List.copyOf(steps);
    }

    @Override
    public void close() {
        if (background != null) {
            background.shutdownNow();
        }
    }
}
