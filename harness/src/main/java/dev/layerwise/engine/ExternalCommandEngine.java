package dev.layerwise.engine;

import dev.layerwise.LayerwiseException;
import dev.layerwise.importer.ImportFormat;
import dev.layerwise.importer.ImportOptions;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Runs a user's engine as an external command on token ids and reads back its trace: either trace-format v1
 * written to {@code {out}}, or a dump an importer reads ({@code importFrom}: the file {@code {log}}, or the
 * command's stderr followed by its stdout when the template has no {@code {log}}). Each run gets its own
 * directory holding the command's stdout, stderr and outputs. A crash, a timeout or a missing output is one
 * line naming the command and that directory.
 *
 * <p>As an {@link Engine} it knows no vocabulary (it checks its own input) and has no dtype to choose; the
 * {@link RunOptions} of the Java engines (threads, faults, dtype) do not apply to it. Run N is run in the directory
 * {@code runDirs} gives for "run-N".
 */
public final class ExternalCommandEngine implements Engine {
    private final CommandTemplate command;
    private final String model;
    private final Duration timeout;
    private final ImportFormat importFrom;
    private final Function<String, Path> runDirs;
    private int runs;

    /**
     * @param model the value of {@code {model}} (any path the engine understands), may be null when unused
     * @param importFrom null when the engine writes trace-format v1 to {@code {out}}
     * @param runDirs the directory of each run by name ("run-1", "run-2", ...), created by the run
     */
    public ExternalCommandEngine(CommandTemplate command, String model, Duration timeout, ImportFormat importFrom,
            Function<String, Path> runDirs) {
        if (command.uses("model") && model == null) {
            throw LayerwiseException.badInput("--engine-cmd", null, "uses {model} but no --model was given");
        }
        if (importFrom == null && !command.uses("out")) {
            throw LayerwiseException.badInput("--engine-cmd", null, "must write its trace to {out} (or pass "
                    + "--import-from FORMAT for an engine that writes a dump)");
        }
        this.command = command;
        this.model = model;
        this.timeout = timeout;
        this.importFrom = importFrom;
        this.runDirs = runDirs;
    }

    /** The command line as given. */
    @Override
    public String name() {
        return command.toString();
    }

    /** Unknown (0): the command checks its own input. */
    @Override
    public int vocabSize() {
        return 0;
    }

    /** None: the command computes in whatever dtype it was built or configured for. */
    @Override
    public DType dtypeLike(DType referenceDtype) {
        return null;
    }

    /** Runs the command once, in the next run directory, on {@code tokens}; returns the trace it produced. */
    @Override
    public Trace run(int[] tokens, RunOptions options) {
        runs++;
        return run(tokens, runDirs.apply("run-" + runs));
    }

    /** Nothing to release: each run is its own process. */
    @Override
    public void close() {
    }

    private Trace run(int[] tokens, Path runDir) {
        try {
            Files.createDirectories(runDir);
            Path tokensFile = runDir.resolve("tokens.txt");
            Files.writeString(tokensFile, join(tokens, "\n") + "\n");
            Map<String, String> values = new HashMap<>();
            values.put("model", model == null ? "" : model);
            values.put("tokens", join(tokens, " "));
            values.put("tokens_csv", join(tokens, ","));
            values.put("tokens_file", tokensFile.toString());
            values.put("out", runDir.resolve("trace.json").toString());
            values.put("log", runDir.resolve("engine.log").toString());
            values.put("dir", runDir.toString());
            List<String> argv = command.expand(values);
            Path stdout = runDir.resolve("stdout.txt");
            Path stderr = runDir.resolve("stderr.txt");
            int status = execute(argv, stdout, stderr, runDir);
            if (status != 0) {
                throw failure("exited with status " + status + lastLine(stderr), runDir);
            }
            return read(runDir, stdout, stderr, tokens);
        } catch (IOException e) {
            throw failure("could not run: " + e.getMessage(), runDir);
        }
    }

    private int execute(List<String> argv, Path stdout, Path stderr, Path runDir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw failure("timed out after " + timeout.toSeconds() + " s (--engine-timeout)", runDir);
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw failure("interrupted", runDir);
        }
    }

    private Trace read(Path runDir, Path stdout, Path stderr, int[] tokens) throws IOException {
        if (importFrom == null) {
            Path out = runDir.resolve("trace.json");
            if (!Files.isRegularFile(out) || Files.size(out) == 0) {
                throw failure("exited 0 but wrote no trace to {out} (" + out + ")", runDir);
            }
            return TraceReader.read(out);
        }
        Path log = runDir.resolve("engine.log");
        if (!command.uses("log")) {
            try (InputStream err = Files.newInputStream(stderr); InputStream in = Files.newInputStream(stdout)) {
                Files.write(log, concat(err.readAllBytes(), in.readAllBytes()));
            }
        }
        if (!Files.isRegularFile(log) || Files.size(log) == 0) {
            throw failure("exited 0 but wrote no output for --import-from " + importFrom.cliName() + " ("
                    + log + ")", runDir);
        }
        return importFrom.importer().read(log, ImportOptions.none().withTokens(tokens, "the input token ids"))
                .trace();
    }

    private LayerwiseException failure(String what, Path runDir) {
        return new LayerwiseException(LayerwiseException.BAD_INPUT, "--engine-cmd: '" + command + "' " + what
                + " (stdout and stderr in " + runDir + ")");
    }

    private static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1).strip();
        } catch (IOException | java.io.UncheckedIOException e) {
            return "";
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String join(int[] ids, String sep) {
        return IntStream.of(ids).mapToObj(Integer::toString).collect(Collectors.joining(sep));
    }
}
