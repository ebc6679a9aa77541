package dev.layerwise.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
