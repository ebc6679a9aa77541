package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.engine.RunOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by run, rerun and check: which model, which engine, how many threads, faults. */
public final class ModelRunOptions {

    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face checkpoint directory (config.json + model.safetensors); with --engine-cmd, "
                    + "any path, passed as {model}.")
    Path model;

    @Option(names = "--engine", defaultValue = "cpu", paramLabel = "cpu|oracle",
            description = "cpu: float32 compute rounded to the model dtype where Hugging Face rounds; "
                    + "oracle: float64 throughout. Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads (results are bit-identical for any N). Default: available cores.")
    Integer threads;

    @Option(names = "--inject", paramLabel = "STEP=KIND",
            description = "Plant a fault (repeatable; STEP may use * for every layer). KIND: zero, nan, scale:F, "
                    + "stale:OTHER_STEP, perturb-ulp, skip (any step); no-causal-mask, no-scale, gqa-modulo "
                    + "(attention), rope-interleaved, rope-offset:N (q_rope, k_rope), no-residual (resid_mid, out), "
                    + "swap:OTHER_STEP (projections). See docs/fault-injection.md.")
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

    public EngineKind engineKind() {
        return switch (engine.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> EngineKind.CPU;
            case "oracle" -> EngineKind.ORACLE;
            default -> throw LayerwiseException.badInput("--engine", null, "unknown engine '" + engine
                    + "' (expected cpu or oracle)");
        };
    }

    public int threads() {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (n < 1 || n > 1024) {
            throw LayerwiseException.badInput("--threads", null, "must be between 1 and 1024, got " + n);
        }
        return n;
    }

    /** Run options without dtype (the caller sets it). */
    public RunOptions toRunOptions() {
        return RunOptions.defaults().withEngine(engineKind()).withThreads(threads()).withInject(inject);
    }

    public boolean forceProgress() {
        return progress;
    }
}
