package dev.layerwise.cli;

import dev.layerwise.engine.Engine;
import dev.layerwise.engine.JavaEngine;
import dev.layerwise.engine.NonFinite;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.engine.Tokens;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code layerwise run}: runs a checkpoint with the cpu engine or the oracle and writes its trace. */
@Command(name = "run", description = {"Runs a Llama checkpoint on token ids and writes the trace of every step.",
            "A run that produces NaN/Infinity still writes its trace and says where they first appeared."})
public final class RunCommand extends LayerwiseCommand {

    @Mixin
    ModelRunOptions model;

    @Mixin
    InputOptions input;

    @Option(names = "--out", required = true, paramLabel = "TRACE", description = "Trace file to write (JSON).")
    Path out;

    @Option(names = "--force", description = "Overwrite --out if it exists.")
    boolean force;

    @Override
    public Integer call() {
        AtomicFiles.Overwrite overwrite = force ? AtomicFiles.Overwrite.ALLOW : AtomicFiles.Overwrite.REFUSE;
        AtomicFiles.checkTarget(out, overwrite); // before the engine runs
        Trace trace;
        long t0 = System.nanoTime();
        RunOptions base = model.toRunOptions();
        try (Engine engine = JavaEngine.open(model.model(), base.engine());
                LayerProgress progress = new LayerProgress("run", model.forceProgress())) {
            int[] tokens = input.tokenIds(engine.vocabSize());
            Tokens.checkVocabulary(tokens, engine.vocabSize(), input.tokenOrigin());
            RunOptions options = base.withDtype(input.dtypeOrNull()).withProgress(progress);
            trace = engine.run(tokens, options);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        TraceWriter.write(trace, out, overwrite);
        PrintWriter w = out();
        w.printf(Locale.ROOT, "wrote %s: %s, %s, %d tokens, %d steps in %.2f s; top-1 token %d (logit %.6g)%n", out,
                trace.producer().name(), trace.dtype().traceName(), trace.input().tokenIds().length,
                trace.steps().size(), seconds, trace.topK().isEmpty() ? -1 : trace.topK().get(0).tokenId(),
                trace.topK().isEmpty() ? Double.NaN : trace.topK().get(0).logit());
        w.flush();
        NonFinite.describe(trace).ifPresent(this::warn);
        return 0;
    }
}
