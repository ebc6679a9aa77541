package dev.layerwise.engine;

import dev.layerwise.numeric.DType;
import dev.layerwise.trace.SketchSpec;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepAccumulator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Turns every recorded step into a trace {@link Step} with the shared {@link StepAccumulator}.
 *
 * <p>In background mode a step's values are copied into one of a few reusable buffers and summarized
 * on a separate thread while the forward pass goes on, so that hashing and statistics overlap with the
 * next matrix products. Steps are still summarized one at a time, in order, by one accumulator: the
 * results are the same as in the foreground.
 */
public final class TraceRecorder implements StepRecorder, AutoCloseable {
    private static final int IN_FLIGHT = 3;

    private final StepAccumulator accumulator;
    private final List<Step> steps = new ArrayList<>();
    private final ExecutorService background;
    private final BlockingQueue<Object> freeBuffers = new ArrayBlockingQueue<>(IN_FLIGHT);
    private final List<Future<?>> pending = new ArrayList<>();

    /** Summarizes each step before {@code record} returns. */
    public TraceRecorder(SketchSpec sketch) {
        this(sketch, false);
    }

    public TraceRecorder(SketchSpec sketch, boolean inBackground) {
        this.accumulator = new StepAccumulator(sketch);
        if (inBackground) {
            this.background = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "layerwise-recorder");
                t.setDaemon(true);
                return t;
            });
            for (int i = 0; i < IN_FLIGHT; i++) {
                freeBuffers.add(new float[0]);
            }
        } else {
            this.background = null;
        }
    }

    @Override
    public void record(String name, long[] shape, DType dtype, float[] values, int length) {
        if (background == null) {
            steps.add(accumulator.begin(name, shape, dtype).add(values, 0, length).finish());
            return;
        }
        float[] copy = (float[]) take(values, length);
        System.arraycopy(values, 0, copy, 0, length);
        submit(() -> {
            steps.add(accumulator.begin(name, shape, dtype).add(copy, 0, length).finish());
            freeBuffers.add(copy);
        });
    }

    @Override
    public void record(String name, long[] shape, DType dtype, double[] values, int length) {
        if (background == null) {
            steps.add(accumulator.begin(name, shape, dtype).add(values, 0, length).finish());
            return;
        }
        double[] copy = (double[]) take(values, length);
        System.arraycopy(values, 0, copy, 0, length);
        submit(() -> {
            steps.add(accumulator.begin(name, shape, dtype).add(copy, 0, length).finish());
            freeBuffers.add(copy);
        });
    }

    /** In background mode the summary completes (and is hashed) on the recorder's thread, in order. */
    @Override
    public void record(Callable<Step> summarized) {
        if (background == null) {
            steps.add(complete(summarized));
            return;
        }
        submit(() -> steps.add(complete(summarized)));
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

    /** A free buffer of the same array type with room for {@code length}, waiting while all are in use. */
    private Object take(Object like, int length) {
        Object buffer;
        try {
            buffer = freeBuffers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording", e);
        }
        if (like instanceof float[]) {
            return buffer instanceof float[] f && f.length >= length ? f : new float[length];
        }
        return buffer instanceof double[] d && d.length >= length ? d : new double[length];
    }

    private void submit(Runnable task) {
        pending.add(background.submit(task));
    }

    /** The steps recorded so far, in order (waits for background work). */
    public List<Step> steps() {
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
