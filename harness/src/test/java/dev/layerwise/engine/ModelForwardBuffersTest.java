package dev.layerwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.trace.ModelDims;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelForwardBuffersTest {
    /**
     * A model whose activation buffers take about {@code bytes} at 1000 tokens of float32: with one head as wide as
     * the hidden state, 19 of its buffers are [1000, hidden] (and the probabilities 4 MB).
     */
    static ModelDims dimsNeeding(long bytes) {
        int hidden = (int) Math.max(64, bytes / 4 / 1000 / 19);
        return new ModelDims(hidden, hidden, 1, 1, 1, hidden, 8);
    }

    /**
     * In a JVM with a small heap (filling most of this one would take seconds): 70 % of the heap is garbage left by
     * an earlier run, the forward needs half of it. Prints "accepted" or the refusal.
     */
    public static final class HeapFullOfGarbage {
        public static void main(String[] args) {
            Runtime rt = Runtime.getRuntime();
            List<long[]> garbage = new ArrayList<>();
            while (rt.totalMemory() - rt.freeMemory() < 0.7 * rt.maxMemory()) {
                garbage.add(new long[1 << 14]);
            }
            garbage = null;
            try {
                ModelForwardBuffers.checkMemory(dimsNeeding(rt.maxMemory() / 2), 1000, 4);
                System.out.print("accepted");
            } catch (LayerwiseException e) {
                System.out.print(e.getMessage());
            }
        }
    }

    @Test
    void garbageOfAnEarlierRunDoesNotCountAsUsed() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx96m", "-XX:+UseG1GC", "-cp",
                System.getProperty("java.class.path"), HeapFullOfGarbage.class.getName()).redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), output);
        assertTrue(output.endsWith("accepted"), output);
    }

    @Test
    void aForwardThatCannotFitIsStillRefused() {
        long max = Runtime.getRuntime().maxMemory();
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> ModelForwardBuffers.checkMemory(dimsNeeding(max + (max >> 2)), 1000, 4));
        assertTrue(e.getMessage().startsWith("not enough memory: 1000 tokens need"), e.getMessage());
    }
}
