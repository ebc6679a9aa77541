package dev.layerwise.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the real CLI in a child JVM: its own working directory and umask, and a process that can be
 * signalled (what an in-process run cannot give).
 */
final class ChildCli {
    private ChildCli() {
    }

    record Result(int exitCode, String out, String err) {
    }

    /** A started child; stdout and stderr go to files under {@code logs}. */
    static Process start(Path workDir, String umask, Path logs, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$0\" \"$@\"",
                java, "--add-modules", "jdk.incubator.vector", "-Xmx1g", "-cp", classPath, LayerwiseCli.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(logs.resolve("out.txt").toFile())
                .redirectError(logs.resolve("err.txt").toFile())
                .start();
    }

    /** Runs to the end. */
    static Result run(Path workDir, String umask, Path logs, String... args) throws IOException, InterruptedException {
        Process p = start(workDir, umask, logs, args);
        int code = p.waitFor();
        return new Result(code, read(logs.resolve("out.txt")), stderr(logs));
    }

    /** Standard error without the JVM's notice about incubator modules. */
    static String stderr(Path logs) throws IOException {
        return read(logs.resolve("err.txt")).lines().filter(l -> !l.contains("incubator modules"))
                .map(l -> l + "\n").reduce("", String::concat);
    }

    private static String read(Path file) throws IOException {
        return java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
    }
}
