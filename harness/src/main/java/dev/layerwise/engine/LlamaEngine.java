package dev.layerwise.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.fault.FaultPlan;
import dev.layerwise.engine.kernels.Precision;
import dev.layerwise.engine.kernels.WorkerPool;
import dev.layerwise.engine.opencl.GpuFaults;
import dev.layerwise.engine.opencl.OpenClDevices;
import dev.layerwise.engine.opencl.OpenClForward;
import dev.layerwise.model.Checkpoint;
import dev.layerwise.model.LlamaConfig;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Input;
import dev.layerwise.trace.ModelDims;
import dev.layerwise.trace.ModelInfo;
import dev.layerwise.trace.Producer;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a Llama checkpoint with the cpu engine, the opencl engine or the oracle and returns its {@link Trace}. */
public final class LlamaEngine {
    private final Checkpoint checkpoint;
    private final LlamaWeights weights;

    private LlamaEngine(Checkpoint checkpoint) {
        this.checkpoint = checkpoint;
        this.weights = LlamaWeights.of(checkpoint);
    }

    /** Checks the checkpoint against its config (exit 2 on a mismatch). */
    public static LlamaEngine of(Checkpoint checkpoint) {
        return new LlamaEngine(checkpoint);
    }

    public LlamaWeights weights() {
        return weights;
    }

    /** The dtype steps will have: float64 for the oracle, else the option or the checkpoint's dtype. */
    public DType stepDtype(RunOptions o) {
        if (o.engine() == EngineKind.ORACLE) {
            if (o.dtype() != null && o.dtype() != DType.FLOAT64) {
                throw LayerwiseException.badInput("--dtype", null, "the oracle computes in float64; --dtype "
                        + o.dtype().traceName() + " applies to --engine cpu");
            }
            return DType.FLOAT64;
        }
        DType d = o.dtype() != null ? o.dtype() : weights.config().torchDtype();
        if (d == DType.FLOAT64) {
            throw LayerwiseException.badInput("--dtype", null, "float64 is the oracle's dtype (use --engine oracle)");
        }
        return d;
    }

    /**
     * Runs and records every step. The steps are summarized while the forward pass goes on: on a thread of the
     * recorder's own where the engine's threads leave a core free (or the engine is opencl), else as side jobs of
     * the engine's worker threads ({@link TraceRecorder}).
     */
    public Trace run(int[] tokens, RunOptions options) {
        return options.engine() == EngineKind.OPENCL
                || options.threads() < Runtime.getRuntime().availableProcessors()
                        ? recordOnOwnThread(tokens, options) : recordOnWorkers(tokens, options);
    }

    /** Records with the steps summarized on a thread of the recorder's own. */
    Trace recordOnOwnThread(int[] tokens, RunOptions options) {
        try (TraceRecorder recorder = new TraceRecorder(options.sketch(), true)) {
            LlamaForward.Result result = run(tokens, options, recorder);
            return trace(tokens, options, stepDtype(options), recorder.steps(), result);
        }
    }

    /** Records (cpu or oracle engine) with the steps summarized as side jobs of the engine's worker threads. */
    Trace recordOnWorkers(int[] tokens, RunOptions options) {
        try (WorkerPool pool = new WorkerPool(options.threads());
                TraceRecorder recorder = TraceRecorder.sharingThreadsOf(options.sketch(), pool)) {
            LlamaForward.Result result = runCpu(tokens, options, recorder, pool);
            return trace(tokens, options, stepDtype(options), recorder.steps(), result);
        }
    }

    private Trace trace(int[] tokens, RunOptions options, DType dtype, List<Step> steps, LlamaForward.Result result) {
        return new Trace(producer(options, dtype), modelInfo(), dtype, new Input(tokens.clone(), null),
                options.sketch(), steps, result.topK(), null);
    }

    /** Runs, showing each step to {@code recorder} (e.g. {@link StepRecorder#NONE} to time the forward alone). */
    public LlamaForward.Result run(int[] tokens, RunOptions options, StepRecorder recorder) {
        if (options.engine() == EngineKind.OPENCL) {
            ModelDims dims = weights.dims();
            Tokens.checkVocabulary(tokens, dims.vocab(), "--tokens");
            DType dtype = stepDtype(options);
            GpuFaults gpu = GpuFaults.parse(options.inject(), dims.layers());
            FaultPlan plan = FaultPlan.parse(gpu.otherSpecs(), dims.layers(), dims::shapeOf);
            return OpenClForward.run(weights, tokens, dtype, options.openCl(), options.sketch(), gpu, plan, recorder,
                    options.progress(), options.topK());
        }
        try (WorkerPool pool = new WorkerPool(options.threads())) {
            return runCpu(tokens, options, recorder, pool);
        }
    }

    /** The cpu or oracle engine on {@code pool}'s threads. */
    private LlamaForward.Result runCpu(int[] tokens, RunOptions options, StepRecorder recorder, WorkerPool pool) {
        ModelDims dims = weights.dims();
        Tokens.checkVocabulary(tokens, dims.vocab(), "--tokens");
        DType dtype = stepDtype(options);
        FaultPlan plan = FaultPlan.parse(options.inject(), dims.layers(), dims::shapeOf);
        if (dtype == DType.FLOAT64) {
            return new LlamaForward<>(weights, new Float64Arithmetic(pool), recorder, plan, options.progress())
                    .run(tokens, options.topK());
        }
        return new LlamaForward<>(weights, new Float32Arithmetic(Precision.of(dtype), pool), recorder, plan,
                options.progress()).run(tokens, options.topK());
    }

    private Producer producer(RunOptions o, DType dtype) {
        Map<String, Object> extra = new LinkedHashMap<>();
        if (o.engine() == EngineKind.OPENCL) {
            extra.put("poison", o.openCl().poison());
            if (!o.openCl().hash()) {
                extra.put("hashes", "not computed (--no-hash)");
            }
        } else {
            extra.put("threads", o.threads());
        }
        extra.put("precision", o.engine() == EngineKind.ORACLE
                ? "float64 (every op in float64 from the stored weights)"
                : Precision.of(dtype).toString() + (o.engine() == EngineKind.OPENCL ? ", OpenCL kernels" : ""));
        extra.put("weights_dtype", weights.embedding().storedDtype().traceName());
        if (!o.inject().isEmpty()) {
            extra.put("faults", o.inject());
        }
        String version = LlamaEngine.class.getPackage().getImplementationVersion();
        String device = o.engine() == EngineKind.OPENCL ? "opencl:" + OpenClDevices.select(o.openCl().device()).name()
                : "cpu";
        return new Producer(o.engine().producerName(), version == null ? "dev" : version, device, "eager", extra);
    }

    private ModelInfo modelInfo() {
        LlamaConfig c = weights.config();
        return new ModelInfo("llama", c.raw(), source(c), null);
    }

    /** "synthetic:tiny/seed=1" for a synthetic checkpoint, else the checkpoint directory. */
    String source(LlamaConfig c) {
        JsonNode syn = c.raw() == null ? null : c.raw().get("synthetic");
        if (syn != null && syn.isObject()) {
            String preset = syn.path("preset").asText("custom");
            return "synthetic:" + preset + "/seed=" + syn.path("seed").asText("?");
        }
        return checkpoint.directory().toString();
    }
}
