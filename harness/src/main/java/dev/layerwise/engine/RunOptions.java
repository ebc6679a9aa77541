package dev.layerwise.engine;

import dev.layerwise.numeric.DType;
import dev.layerwise.trace.SketchSpec;
import dev.layerwise.trace.TopK;
import java.util.List;

/**
 * How to run a model. {@code dtype} null means the checkpoint's dtype (cpu engine; the oracle is always
 * float64). {@code inject} holds {@code STEP=KIND} fault specs.
 */
public record RunOptions(EngineKind engine, DType dtype, int threads, List<String> inject, SketchSpec sketch,
        int topK, LlamaForward.Progress progress) {

    public RunOptions {
        inject = inject == null ? List.of() : List.copyOf(inject);
        sketch = sketch == null ? SketchSpec.DEFAULT : sketch;
        progress = progress == null ? LlamaForward.Progress.NONE : progress;
    }

    public static RunOptions defaults() {
        return new RunOptions(EngineKind.CPU, null, Runtime.getRuntime().availableProcessors(), List.of(),
                SketchSpec.DEFAULT, TopK.DEFAULT_K, null);
    }

    public RunOptions withEngine(EngineKind e) {
        return new RunOptions(e, dtype, threads, inject, sketch, topK, progress);
    }

    public RunOptions withDtype(DType d) {
        return new RunOptions(engine, d, threads, inject, sketch, topK, progress);
    }

    public RunOptions withThreads(int n) {
        return new RunOptions(engine, dtype, n, inject, sketch, topK, progress);
    }

    public RunOptions withInject(List<String> specs) {
        return new RunOptions(engine, dtype, threads, specs, sketch, topK, progress);
    }

    public RunOptions withProgress(LlamaForward.Progress p) {
        return new RunOptions(engine, dtype, threads, inject, sketch, topK, p);
    }
}
