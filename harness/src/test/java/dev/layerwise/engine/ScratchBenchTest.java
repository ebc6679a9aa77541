package dev.layerwise.engine;

import dev.layerwise.numeric.DType;
import org.junit.jupiter.api.Test;

class ScratchBenchTest {
    @Test
    void bench() {
        var dims = new InMemoryCheckpoint.Dims(2048, 5632, 2, 32, 4, 32000);
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(dims, DType.BFLOAT16, 1);
        LlamaEngine e = LlamaEngine.of(cp);
        int[] tokens = Tokens.defaultPrompt(32000);
        RunOptions o = RunOptions.defaults().withThreads(2);
        for (int i = 0; i < 6; i++) {
            long t0 = System.nanoTime();
            e.run(tokens, o, StepRecorder.NONE);
            long t1 = System.nanoTime();
            e.run(tokens, o);
            long t2 = System.nanoTime();
            System.out.printf("forward %.1f ms, recorded %.1f ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
    }
}
