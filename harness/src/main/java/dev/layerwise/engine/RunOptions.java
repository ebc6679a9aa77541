package dev.layerwise.engine;

import dev.layerwise.engine.opencl.OpenClOptions;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.SketchSpec;
import dev.layerwise.trace.TopK;
import java.util.List;

/**
 * How to run a model. {@code dtype} null means the checkpoint's dtype (cpu and opencl engines; the oracle
 * is always float64). {@code inject} holds {@code STEP=KIND} fault specs; {@code openCl} the device and
 * poison mode of the opencl engine.
 */
public record RunOptions(EngineKind engine, DType dtype, int threads, List<String> inject, SketchSpec sketch,
        int topK, LlamaForward.Progress progress, OpenClOptions openCl) {

    public RunOptions {
        inject = inject == null ? List.of() : List.copyOf(inject);
        sketch = sketch == null ? SketchSpec.DEFAULT : sketch;
        progress = progress == null ? LlamaForward.Progress.NONE : progress;
        openCl = openCl == null ? OpenClOptions.DEFAULT : openCl;
    }

    public static RunOptions defaults() {
        return new RunOptions(EngineKind.CPU, null, Runtime.getRuntime().availableProcessors(), List.of(),
                SketchSpec.DEFAULT, TopK.DEFAULT_K, null, null);
    }

    public RunOptions withEngine(EngineKind e) {
        return new RunOptions(e, dtype, threads, inject, sketch, topK, progress, openCl);
    }

    public RunOptions withDtype(DType d) {
        return new RunOptions(engine, d, threads, inject, sketch, topK, progress, openCl);
    }

    public RunOptions withThreads(int n) {
        return new RunOptions(engine, dtype, n, inject, sketch, topK, progress, openCl);
    }

    public RunOptions withInject(List<String> specs) {
        return new RunOptions(engine, dtype, threads, specs, sketch, topK, progress, openCl);
    }

    public RunOptions withProgress(LlamaForward.Progress p) {
        return new RunOptions(engine, dtype, threads, inject, sketch, topK, p, openCl);
    }

    public RunOptions withOpenCl(OpenClOptions o) {
        return new RunOptions(engine, dtype, threads, inject, sketch, topK, progress, o);
    }
}
