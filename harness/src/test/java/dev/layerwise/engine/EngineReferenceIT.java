package dev.layerwise.engine;

import dev.layerwise.junit.TraceComparisonTests;
import dev.layerwise.model.HfCheckpoint;
import dev.layerwise.numeric.DType;
import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The engines against every committed Hugging Face reference (reference-dumps/, second opinions
 * included): the checkpoint behind each reference is synthesized in Java, run with the reference's
 * tokens (the cpu engine in the reference's dtype, the oracle in float64) and compared step by step,
 * one dynamic test per step. Identical runs are shared (tinyllama-1layer runs once).
 */
class EngineReferenceIT {
    private static final Map<String, Trace> RUNS = new ConcurrentHashMap<>();

    static List<Path> references() {
        Path dir = Components.repoRoot().resolve("reference-dumps");
        try (Stream<Path> files = Files.walk(dir)) {
            // clean-spread/ holds the second opinions that the tolerance model is measured against
            // (reference-dumps/clean-spread/README.md); the tolerance tests read them, not this one.
            return files.filter(p -> p.toString().endsWith(".json"))
                    .filter(p -> !p.startsWith(dir.resolve("clean-spread"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Trace run(Trace reference, EngineKind engine) {
        Path model = SyntheticCheckpoints.behind(reference);
        DType dtype = engine == EngineKind.CPU ? reference.dtype() : null;
        String key = model + "|" + engine + "|" + dtype + "|" + Arrays.toString(reference.input().tokenIds());
        return RUNS.computeIfAbsent(key, k -> {
            try (HfCheckpoint cp = HfCheckpoint.open(model)) {
                return LlamaEngine.of(cp).run(reference.input().tokenIds(),
                        RunOptions.defaults().withEngine(engine).withDtype(dtype));
            }
        });
    }

    private static DynamicNode container(Path file, EngineKind engine) {
        String name = Components.repoRoot().relativize(file).toString();
        // Lazy: the checkpoint is synthesized and run when the container executes.
        return DynamicContainer.dynamicContainer(name, Stream.of(file).flatMap(f -> {
            Trace reference = TraceReader.read(f);
            return TraceComparisonTests.forPair(reference, run(reference, engine));
        }));
    }

    @TestFactory
    Stream<DynamicNode> cpuEngineMatchesEveryReference() {
        return references().stream().map(f -> container(f, EngineKind.CPU));
    }

    @TestFactory
    Stream<DynamicNode> oracleMatchesTheReferencesOfTheSmallPresets() {
        return references().stream().filter(f -> !f.getFileName().toString().startsWith("tinyllama"))
                .filter(f -> !f.toString().contains("second-opinion")).map(f -> container(f, EngineKind.ORACLE));
    }
}
