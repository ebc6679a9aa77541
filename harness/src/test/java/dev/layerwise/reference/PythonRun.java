package dev.layerwise.reference;

import static org.junit.jupiter.api.Assertions.fail;

import dev.layerwise.testing.Components;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command of the Python reference stack from the repository root and captures its output. */
record PythonRun(int exitCode, String output) {

    /** Runs {@code python args...}. */
    static PythonRun python(Path python, Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(python.toString());
        command.addAll(List.of(args));
        return run(command, python, timeout);
    }

    /** Runs any command with LAYERWISE_PYTHON set to {@code python} (for the shell scripts). */
    static PythonRun run(List<String> command, Path python, Duration timeout) {
        Path log = null;
        try {
            log = Files.createTempFile("layerwise-python", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).directory(Components.repoRoot().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("LAYERWISE_PYTHON", python.toString());
            Process process = pb.start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeout + ":\n" + Files.readString(log));
            }
            return new PythonRun(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a leftover temp log is harmless
                }
            }
        }
    }
}
