package dev.layerwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.junit.TraceComparisonTests;
import dev.layerwise.model.HfCheckpoint;
import dev.layerwise.model.synth.Dimensions;
import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fresh seeds and custom shapes that no committed reference covers (GQA ratios 3, 1 and 8, rope_theta
 * 500000, rms_norm_eps 1e-6, a prompt longer than one 40-token matmul block): the checkpoint is
 * synthesized in Java, Hugging Face's trace is dumped on the fly with scripts/dump_hf_reference.py,
 * and the cpu engine is compared with it step by step.
 */
class FreshShapesIT {

    record Case(String name, Dimensions dims, long seed, DType dtype, int[] tokens) {
    }

    static List<Case> cases() {
        int[] long45 = IntStream.range(0, 45).map(i -> (i * 37 + 11) % 300).toArray();
        return List.of(
                new Case("gqa3-theta500k-eps1e-6-f32", new Dimensions(96, 176, 2, 6, 2, 16, 384, 1e-6, 500000, 256),
                        5, DType.FLOAT32, null),
                new Case("mha-eps1e-6-f16-45-tokens", new Dimensions(64, 128, 2, 4, 4, 16, 320, 1e-6, 10000, 256),
                        7, DType.FLOAT16, long45),
                new Case("mqa8-theta500k-bf16", new Dimensions(128, 200, 2, 8, 1, 16, 256, 1e-5, 500000, 256),
                        11, DType.BFLOAT16, null));
    }

    @TestFactory
    Stream<DynamicNode> cpuEngineMatchesHuggingFaceOnFreshShapes(@TempDir Path dir) {
        Path python = Components.requirePython();
        return cases().stream().map(c -> DynamicContainer.dynamicContainer(c.name(), Stream.of(c).flatMap(k -> {
            Path model = SyntheticCheckpoints.of(new SyntheticModel(Preset.parse("tiny"), k.dims(), k.seed(), k.dtype()));
            Trace reference = dumpReference(python, model, k, dir.resolve(k.name() + ".json"));
            Trace candidate;
            try (HfCheckpoint cp = HfCheckpoint.open(model)) {
                candidate = LlamaEngine.of(cp).run(reference.input().tokenIds(), RunOptions.defaults());
            }
            return TraceComparisonTests.forPair(reference, candidate);
        })));
    }

    static Trace dumpReference(Path python, Path model, Case c, Path out) {
        List<String> cmd = new ArrayList<>(List.of(python.toString(), "scripts/dump_hf_reference.py", model.toString(),
                "--out", out.toString()));
        if (c.tokens() != null) {
            cmd.add("--tokens");
            cmd.add(String.join(" ", IntStream.of(c.tokens()).mapToObj(Integer::toString).toList()));
        }
        try {
            Path log = Files.createTempFile("dump", ".log");
            Process p = new ProcessBuilder(cmd).directory(Components.repoRoot().toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
            assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + "\n" + read(log));
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return TraceReader.read(out);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
