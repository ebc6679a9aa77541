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
 * in the order queued, on whichever pool thread finishes a task of a large {@link #forEach} while many of its tasks
 * are left, so that the other threads keep the cores busy and finish that call's tasks meanwhile; or on the caller
 * thread when it asks ({@link #runOneAside}, {@link #runAllAside}, and {@link #close}). On a machine whose cores the
 * pool fills, this costs the side work's CPU time spread over all cores, where a thread of its own would take a core
 * from a worker at the operating system's whim and leave the others waiting for it at the end of a call.
 */
public final class WorkerPool implements AutoCloseable {

    /** One task; {@code worker} (0 .. threads-1) indexes per-thread scratch space. */
    @FunctionalInterface
    public interface Task {
        void run(int worker, int task);
    }

    /** A side job starts only while at least this many of a call's tasks (and a quarter of them) are left. */
    static final int ASIDE_MIN_TASKS_LEFT = 64;

    private final int threads;
    private final ExecutorService executor;
    private final Queue<FutureTask<?>> aside = new ConcurrentLinkedQueue<>();
    /** Held while a side job runs: one at a time, hence in queue order. */
    private final ReentrantLock asideTurn = new ReentrantLock();

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
            futures.add(executor.submit(() -> drain(next, count, worker, body)));
        }
        Throwable failure = null;
        try {
            drain(next, count, 0, body);
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

    private void drain(AtomicInteger next, int count, int worker, Task body) {
        int enoughLeft = Math.max(ASIDE_MIN_TASKS_LEFT, count / 4);
        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            body.run(worker, i);
            while (!aside.isEmpty() && count - next.get() >= enoughLeft && asideTurn.tryLock()) {
                try {
                    runNextAside();
                } finally {
                    asideTurn.unlock();
                }
            }
        }
    }

    /**
     * Queues {@code job} to run later on some thread of this pool (see the class comment); its failure, if any, is
     * reported by the returned future.
     */
    public Future<?> runAside(Runnable job) {
        FutureTask<Void> task = new FutureTask<>(job, null);
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

    private boolean runNextAside() {
        FutureTask<?> job = aside.poll();
        if (job == null) {
            return false;
        }
        job.run();
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
