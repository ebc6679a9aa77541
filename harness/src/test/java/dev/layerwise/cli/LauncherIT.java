package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.testing.Components;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/layerwise} limits the JIT to C1 for commands that finish before C2 pays off (a checkpoint under
 * 16 MiB) and keeps C2 for real models; the choice reads the checkpoint's size, which must work for models of any
 * size (a multi-gigabyte directory once printed "integer expression expected" on every run).
 */
class LauncherIT {
    private static final Pattern TIER = Pattern.compile("TieredStopAtLevel\\s+=\\s+(\\d+)");

    private record Result(int status, String out, String err) {
    }

    private static Result launch(Path dir, String... args) throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(
                java.util.stream.Stream.concat(java.util.stream.Stream.of("bash", "scripts/layerwise"),
                        java.util.Arrays.stream(args)).toList())
                .directory(Components.repoRoot().toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("LAYERWISE_JAVA_OPTS", "-XX:+PrintFlagsFinal");
        pb.environment().put("LAYERWISE_CDS", "0");
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "layerwise " + List.of(args) + " did not finish");
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static int tier(Result r) {
        Matcher m = TIER.matcher(r.out());
        assertTrue(m.find(), "no TieredStopAtLevel in the JVM's flags:\n" + r.err());
        return Integer.parseInt(m.group(1));
    }

    @Test
    void aMultiGigabyteCheckpointKeepsC2AndTheLauncherPrintsNothingOfItsOwn(@TempDir Path dir) throws Exception {
        Path model = Files.createDirectories(dir.resolve("big"));
        Files.writeString(model.resolve("config.json"), "{}");
        try (RandomAccessFile f = new RandomAccessFile(model.resolve("model.safetensors").toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GiB that take no disk
        }
        Result r = launch(dir, "run", "--model", model.toString(), "--tokens", "1", "--out",
                dir.resolve("t.json").toString());
        assertNotEquals(0, r.status(), "an empty checkpoint cannot run");
        assertFalse(r.err().contains("integer expression"), r.err());
        assertFalse(r.err().contains("scripts/layerwise:"), r.err());
        assertNotEquals(1, tier(r), "a real model needs C2");
    }

    @Test
    void aTinyCheckpointRunsOnC1(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("tiny");
        Result synth = launch(dir, "synth", "--preset", "tiny", "--seed", "1", "--dtype", "bf16", "--out",
                model.toString());
        assertEquals(0, synth.status(), synth.err());
        Result r = launch(dir, "run", "--model=" + model, "--tokens", "1 2 3", "--out",
                dir.resolve("t.json").toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(1, tier(r));
    }
}
