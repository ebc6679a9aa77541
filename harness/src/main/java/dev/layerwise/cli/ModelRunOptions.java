package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.engine.opencl.OpenClOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by run, rerun and check: which model, which engine (and device), how many threads, faults. */
public final class ModelRunOptions {

    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face checkpoint directory (config.json + model.safetensors); with --engine-cmd, "
                    + "any path, passed as {model}.")
    Path model;

    @Option(names = "--engine", defaultValue = "cpu", paramLabel = "cpu|opencl|oracle",
            description = "cpu: float32 compute rounded to the model dtype where Hugging Face rounds; "
                    + "opencl: the same arithmetic as OpenCL kernels on a device (--device); "
                    + "oracle: float64 throughout. Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--device", paramLabel = "P:D|N|NAME",
            description = "OpenCL device of --engine opencl: platform:device index, overall index, or part of "
                    + "its name (`layerwise devices` lists them). Default: the first GPU, else the first device.")
    String device;

    @Option(names = "--poison", description = "--engine opencl: fill every step's output with a NaN sentinel "
            + "before its kernel runs, so an output that is not written shows as NaN at that step.")
    boolean poison;

    @Option(names = "--no-hash", description = "--engine opencl: do not read every step back to hash it; only "
            + "the statistics reduced on the device come back, and steps are recorded without sha256.")
    boolean noHash;

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
            case "opencl" -> EngineKind.OPENCL;
            default -> throw LayerwiseException.badInput("--engine", null, "unknown engine '" + engine
                    + "' (expected cpu, opencl or oracle)");
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
        EngineKind kind = engineKind();
        if (kind != EngineKind.OPENCL && (device != null || poison || noHash)) {
            throw LayerwiseException.badInput(device != null ? "--device" : poison ? "--poison" : "--no-hash", null,
                    "applies to --engine opencl only");
        }
        return RunOptions.defaults().withEngine(kind).withThreads(threads()).withInject(inject)
                .withOpenCl(new OpenClOptions(device, poison, !noHash));
    }

    public boolean forceProgress() {
        return progress;
    }
}
