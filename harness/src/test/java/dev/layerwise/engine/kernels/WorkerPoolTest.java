package dev.layerwise.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void runsEveryTaskExactlyOnceWithValidWorkerIndices() {
        try (WorkerPool pool = new WorkerPool(3)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(1000);
            AtomicIntegerArray workers = new AtomicIntegerArray(3);
            pool.forEach(1000, (worker, task) -> {
                runs.incrementAndGet(task);
                workers.incrementAndGet(worker);
            });
            for (int i = 0; i < 1000; i++) {
                assertEquals(1, runs.get(i));
            }
            assertEquals(1000, workers.get(0) + workers.get(1) + workers.get(2));
        }
    }

    @Test
    void aFailingTaskFailsTheCallAndThePoolStaysUsable() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.forEach(100, (w, t) -> {
                if (t == 57) {
                    throw new IllegalStateException("task 57");
                }
            }));
            assertEquals("task 57", e.getMessage());
            AtomicIntegerArray runs = new AtomicIntegerArray(10);
            pool.forEach(10, (w, t) -> runs.incrementAndGet(t));
            assertEquals(1, runs.get(9));
        }
    }

    @Test
    void sideJobsRunOneAtATimeInQueueOrderBetweenTheTasksOfALargeCall() {
        try (WorkerPool pool = new WorkerPool(2)) {
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger running = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            List<Future<?>> jobs = new ArrayList<>();
            for (int j = 0; j < 20; j++) {
                int id = j;
                jobs.add(pool.runAside(() -> {
                    if (running.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    order.add(id);
                    running.decrementAndGet();
                }, 1));
            }
            AtomicIntegerArray runs = new AtomicIntegerArray(10_000);
            // the first finished task leaves far more than a quarter of the tasks, so side jobs start within the
            // call (how many depends on the threads' timing; the rest wait for the owner)
            pool.forEach(10_000, (w, t) -> runs.incrementAndGet(t));
            assertTrue(jobs.get(0).isDone(), "the oldest job ran within the call");
            pool.runAllAside();
            for (Future<?> job : jobs) {
                assertTrue(job.isDone());
            }
            for (int t = 0; t < 10_000; t++) {
                assertEquals(1, runs.get(t));
            }
            List<Integer> expected = new ArrayList<>();
            for (int j = 0; j < 20; j++) {
                expected.add(j);
            }
            assertEquals(expected, order);
            assertEquals(0, overlaps.get());
        }
    }

    @Test
    void aSideJobWaitsWhileTheOtherThreadsHaveLessWorkLeftThanItIsExpectedToTakeAndCloseRunsIt() {
        AtomicInteger done = new AtomicInteger();
        Future<?> late;
        try (WorkerPool pool = new WorkerPool(2)) {
            // calibrates the pool: 20 ms for one unit
            pool.runAside(() -> sleep(20), 1);
            assertTrue(pool.runOneAside());
            // expected to take 1000 units x 20 ms: a call of a hundred trivial tasks never has that much left
            Future<?> big = pool.runAside(done::incrementAndGet, 1000);
            pool.forEach(100, (w, t) -> { });
            assertFalse(big.isDone(), "started where the other thread would have waited for it");
            assertTrue(pool.runOneAside());
            assertTrue(big.isDone());
            assertFalse(pool.runOneAside());
            late = pool.runAside(done::incrementAndGet, 1000);
        }
        assertTrue(late.isDone(), "close() runs what is still queued");
        assertEquals(2, done.get());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFailingSideJobIsReportedByItsFutureAndTheOthersStillRun() throws Exception {
        try (WorkerPool pool = new WorkerPool(3)) {
            Future<?> failing = pool.runAside(() -> {
                throw new IllegalStateException("summary failed");
            }, 1);
            AtomicInteger after = new AtomicInteger();
            Future<?> next = pool.runAside(after::incrementAndGet, 1);
            pool.forEach(5_000, (w, t) -> { });
            pool.runAllAside();
            ExecutionException e = assertThrows(ExecutionException.class, failing::get);
            assertEquals("summary failed", e.getCause().getMessage());
            next.get();
            assertEquals(1, after.get());
        }
    }
}
