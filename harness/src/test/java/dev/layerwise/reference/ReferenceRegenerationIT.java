package dev.layerwise.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.testing.Components;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regenerates the committed {@code tiny} references (synthesize, then one eager CPU forward pass on one
 * thread) and checks that they are bit-identical to reference-dumps/: every step's SHA-256 and the top-k.
 */
class ReferenceRegenerationIT {
    private static final List<String> TINY = List.of("tiny-seed1-f32", "tiny-seed1-f16", "tiny-seed1-bf16");

    @Test
    void tinyReferencesRegenerateBitIdentically(@TempDir Path dir) {
        Path python = Components.requirePython();
        List<String> command = new ArrayList<>(List.of("bash", "scripts/regenerate_references.sh",
                "--out-dir", dir.toString()));
        command.addAll(TINY);
        PythonRun run = PythonRun.run(command, python, Duration.ofMinutes(5));
        assertEquals(0, run.exitCode(), run.output());

        for (String name : TINY) {
            Trace committed = TraceReader.read(Components.repoRoot().resolve("reference-dumps/" + name + ".json"));
            Trace regenerated = TraceReader.read(dir.resolve(name + ".json"));
            assertArrayEquals(committed.input().tokenIds(), regenerated.input().tokenIds(), name);
            assertEquals(names(committed), names(regenerated), name);
            for (int i = 0; i < committed.steps().size(); i++) {
                Step expected = committed.steps().get(i);
                assertEquals(expected.sha256(), regenerated.steps().get(i).sha256(), name + " " + expected.name());
            }
            assertEquals(committed.topK(), regenerated.topK(), name + " top_k");
        }
    }

    private static List<String> names(Trace trace) {
        return trace.steps().stream().map(Step::name).toList();
    }
}
