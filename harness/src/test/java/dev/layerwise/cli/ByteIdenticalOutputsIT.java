package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticCheckpointWriter;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import dev.layerwise.testing.Components;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same input gives byte-identical output files, also across JVMs: each command runs twice, each time in a
 * fresh JVM (where {@code Map.of} and hash iteration orders differ), and every file it wrote is compared byte
 * for byte. The faults make diagnoses with several evidence entries appear in the reports.
 */
class ByteIdenticalOutputsIT {

    @Test
    void demoWritesTheSameBytesInTwoJvms(@TempDir Path dir) throws Exception {
        assertSameFiles(dir, "demo", "--threads", "2");
    }

    @Test
    void checkWithFaultsWritesTheSameBytesInTwoJvms(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("tiny-f32");
        new SyntheticCheckpointWriter().write(SyntheticModel.of(Preset.parse("tiny"), 1, DType.FLOAT32), model, false);
        String reference = Components.repoRoot().resolve("reference-dumps/tiny-seed1-f32.json").toString();
        assertSameFiles(dir, "check", "--model", model.toString(), "--reference", reference, "--threads", "2",
                "--inject", "layers.0.out=no-residual", "--inject", "layers.1.attn_probs=no-causal-mask");
    }

    private static void assertSameFiles(Path dir, String... args) throws Exception {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        int code = runInFreshJvm(first, args);
        assertEquals(code, runInFreshJvm(second, args), "exit status");
        List<Path> a = files(first);
        List<Path> b = files(second);
        assertFalse(a.isEmpty(), "no output files");
        assertEquals(a, b, "the same files");
        for (Path f : a) {
            assertArrayEquals(Files.readAllBytes(first.resolve(f)), Files.readAllBytes(second.resolve(f)),
                    f + " differs between two runs on the same input");
        }
    }

    private static int runInFreshJvm(Path reportDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dlayerwise.root=" + Components.repoRoot(), "-cp", System.getProperty("java.class.path"),
                LayerwiseCli.class.getName()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--report-dir", reportDir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }
}
