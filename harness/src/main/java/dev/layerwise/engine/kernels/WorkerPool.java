package dev.layerwise.engine.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed set of threads that share out independent tasks (output tiles). Which thread runs a task never
 * changes what the task computes, so results are the same for any thread count.
 *
 * <p>Side jobs ({@link #runAside}) are work that is not urgent (summarizing a recorded step): they run one at a time,
 * in the order queued, on a pool thread between two tasks of a {@link #forEach}, when the other threads of that call
 * have at least as much of its work left as the job is expected to take (so that nobody waits for the job at the
 * end of the call), or on the caller thread when it asks ({@link #runOneAside}, {@link #runAllAside}, and
 * {@link #close}). A job's expected time is its size in units times the time per unit of the jobs run so far; the
 * work left is the call's tasks not yet started times this thread's mean time per task, shared by the others. On a
 * machine whose cores the pool fills, this costs the side work's CPU time spread over all cores, where a thread of
 * its own would take a core from a worker at the operating system's whim and leave the others waiting for it at the
 * end of a call.
 */
public final class WorkerPool implements AutoCloseable {

    /** One task; {@code worker} (0 .. threads-1) indexes per-thread scratch space. */
    @FunctionalInterface
    public interface Task {
        void run(int worker, int task);
    }

    /** A side job and its size (e.g. the values it summarizes). */
    private static final class SideJob extends FutureTask<Void> {
        final long units;

        SideJob(Runnable job, long units) {
            super(job, null);
            this.units = units;
        }
    }

    private final int threads;
    private final ExecutorService executor;
    private final Queue<SideJob> aside = new ConcurrentLinkedQueue<>();
    /** Held while a side job runs: one at a time, hence in queue order. */
    private final ReentrantLock asideTurn = new ReentrantLock();
    /** Mean nanoseconds per unit of the side jobs run so far (0 before the first: it runs at the first chance). */
    private volatile double asideNanosPerUnit;

    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.executor = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "layerwise-worker");
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() {
        return threads;
    }

    /** Runs tasks 0 .. count-1, the calling thread included, and returns when all are done. */
    public void forEach(int count, Task body) {
        if (executor == null || count <= 1) {
            for (int i = 0; i < count; i++) {
                body.run(0, i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        int helpers = Math.min(threads - 1, count - 1);
        List<Future<?>> futures = new ArrayList<>(helpers);
        for (int w = 1; w <= helpers; w++) {
            int worker = w;
            futures.add(executor.submit(() -> drain(next, count, worker, helpers, body)));
        }
        Throwable failure = null;
        try {
            drain(next, count, 0, helpers, body);
        } catch (RuntimeException | Error e) {
            failure = e;
            next.set(count);
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? e : failure;
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error er) {
            throw er;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** Runs tasks until none is left; between two, side jobs that the {@code others} threads' work left covers. */
    private void drain(AtomicInteger next, int count, int worker, int others, Task body) {
        long taskNanos = 0;
        int tasks = 0;
        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            long start = System.nanoTime();
            body.run(worker, i);
            taskNanos += System.nanoTime() - start;
            tasks++;
            SideJob job;
            while ((job = aside.peek()) != null
                    && job.units * asideNanosPerUnit < (count - next.get()) * ((double) taskNanos / tasks) / others
                    && asideTurn.tryLock()) {
                try {
                    runNextAside();
                } finally {
                    asideTurn.unlock();
                }
            }
        }
    }

    /**
     * Queues {@code job}, of {@code units} units of work (its expected time is proportional to them), to run later
     * on some thread of this pool (see the class comment); its failure, if any, is reported by the returned future.
     */
    public Future<?> runAside(Runnable job, long units) {
        SideJob task = new SideJob(job, Math.max(1, units));
        aside.add(task);
        return task;
    }

    /** Runs the oldest queued side job on the calling thread; false when none was queued. */
    public boolean runOneAside() {
        asideTurn.lock();
        try {
            return runNextAside();
        } finally {
            asideTurn.unlock();
        }
    }

    /** Runs every queued side job on the calling thread, in order. */
    public void runAllAside() {
        while (runOneAside()) {
            // until the queue is empty
        }
    }

    /** Runs the oldest side job (the caller holds {@link #asideTurn}). */
    private boolean runNextAside() {
        SideJob job = aside.poll();
        if (job == null) {
            return false;
        }
        long start = System.nanoTime();
        job.run();
        double perUnit = (double) (System.nanoTime() - start) / job.units;
        double before = asideNanosPerUnit;
        asideNanosPerUnit = before == 0 ? perUnit : 0.75 * before + 0.25 * perUnit;
        return true;
    }

    /** Runs the side jobs still queued, then stops the threads. */
    @Override
    public void close() {
        runAllAside();
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
