package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.engine.opencl.OpenClOptions;
import picocli.CommandLine.Option;

/** Which built-in engine runs, on which device, with how many threads (run, rerun, check, bench, demo). */
public final class EngineOptions {

    @Option(names = "--engine", defaultValue = "cpu", paramLabel = "cpu|opencl|oracle",
            converter = OptionConverters.Engine.class,
            description = "cpu: float32 compute rounded to the model dtype where Hugging Face rounds; "
                    + "opencl: the same arithmetic as OpenCL kernels on a device (--device); "
                    + "oracle: float64 throughout. Default: ${DEFAULT-VALUE}.")
    EngineKind engine;

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

    public EngineKind engineKind() {
        return engine;
    }

    public int threads() {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (n < 1 || n > 1024) {
            throw LayerwiseException.badInput("--threads", null, "must be between 1 and 1024, got " + n);
        }
        return n;
    }

    /** Default run options with this engine, device and thread count (dtype, faults and progress unset). */
    public RunOptions toRunOptions() {
        if (engine != EngineKind.OPENCL && (device != null || poison || noHash)) {
            throw LayerwiseException.badInput(device != null ? "--device" : poison ? "--poison" : "--no-hash", null,
                    "applies to --engine opencl only");
        }
        return RunOptions.defaults().withEngine(engine).withThreads(threads())
                .withOpenCl(new OpenClOptions(device, poison, !noHash));
    }
}
