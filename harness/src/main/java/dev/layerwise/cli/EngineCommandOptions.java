package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.CommandTemplate;
import dev.layerwise.engine.Engine;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.engine.ExternalCommandEngine;
import dev.layerwise.engine.JavaEngine;
import dev.layerwise.importer.ImportFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** --engine-cmd and its companions, shared by check and rerun: run the user's own engine as a command. */
public final class EngineCommandOptions {

    @Option(names = "--engine-cmd", paramLabel = "COMMAND",
            description = "Run your engine instead of the built-in one: a command line (no shell) with placeholders "
                    + "{model} {tokens} (\"1 17 42\") {tokens_csv} (\"1,17,42\") {tokens_file} {out} {log} {dir}. "
                    + "It writes trace-format v1 to {out}, or a dump read by --import-from. See docs/your-engine.md.")
    String command;

    @Option(names = "--import-from", paramLabel = "FORMAT", converter = OptionConverters.Import.class,
            description = "The engine writes a dump in this format (e.g. llamacpp-eval) to {log}, or to its stdout/stderr.")
    ImportFormat importFrom;

    @Option(names = "--engine-timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "Kill the engine command after this long. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Option(names = "--engine-dir", paramLabel = "DIR",
            description = "Keep each run's stdout, stderr and outputs here (default: a new temporary directory).")
    Path dir;

    public boolean present() {
        return command != null;
    }

    /** The engine under test: the --engine-cmd when given, else the built-in {@code kind} on --model. */
    Engine open(ModelRunOptions model, EngineKind kind) {
        return present() ? engine(model.modelOrNull()) : JavaEngine.open(model.model(), kind);
    }

    /** The engine; {@code model} is {@code {model}}'s value (null when --model was not given). */
    private ExternalCommandEngine engine(Path model) {
        if (timeoutSeconds < 1) {
            throw LayerwiseException.badInput("--engine-timeout", null, "must be at least 1 second, got "
                    + timeoutSeconds);
        }
        return new ExternalCommandEngine(CommandTemplate.parse(command, "--engine-cmd"),
                model == null ? null : model.toString(), Duration.ofSeconds(timeoutSeconds), importFrom, this::runDir);
    }

    /** The directory for run {@code name} ("run-1", ...). */
    private Path runDir(String name) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("layerwise-engine-");
            }
            return dir.resolve(name);
        } catch (IOException e) {
            throw LayerwiseException.badInput("--engine-dir", null, "cannot create a directory: " + e.getMessage());
        }
    }
}
