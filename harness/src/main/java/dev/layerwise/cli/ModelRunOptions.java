package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.RunOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by run, rerun and check: which model, which engine (and device), how many threads, faults. */
@Command(resourceBundle = "dev.layerwise.cli.GeneratedHelp")
public final class ModelRunOptions {

    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face checkpoint directory (config.json + model.safetensors); with --engine-cmd, "
                    + "any path, passed as {model}.")
    Path model;

    @Mixin
    EngineOptions engine;

    /** The description is {@link dev.layerwise.engine.fault.FaultGrammar#helpText()}, through {@link GeneratedHelp}. */
    @Option(names = "--inject", paramLabel = "STEP=KIND", descriptionKey = "inject")
    List<String> inject = new ArrayList<>();

    @Option(names = "--progress", description = "Show a progress bar on stderr even when it is not a terminal.")
    boolean progress;

    public Path model() {
        if (model == null) {
            throw LayerwiseException.badInput("--model", null, "required: the checkpoint directory to run");
        }
        return model;
    }

    /** --model or null: an --engine-cmd may not need one. */
    public Path modelOrNull() {
        return model;
    }

    /** Run options without dtype (the caller sets it). */
    public RunOptions toRunOptions() {
        return engine.toRunOptions().withInject(inject);
    }

    public boolean forceProgress() {
        return progress;
    }
}
