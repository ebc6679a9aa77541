package dev.layerwise.cli;

import dev.layerwise.engine.LlamaEngine;
import dev.layerwise.engine.NonFinite;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.engine.Tokens;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.model.HfCheckpoint;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code layerwise run}: runs a checkpoint with the cpu engine or the oracle and writes its trace. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs a Llama checkpoint on token ids and writes the trace of every step.",
            "A run that produces NaN/Infinity still writes its trace and says where they first appeared."})
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

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
        try (HfCheckpoint cp = HfCheckpoint.open(model.model());
                LayerProgress progress = new LayerProgress("run", model.forceProgress())) {
            LlamaEngine engine = LlamaEngine.of(cp);
            int[] tokens = input.tokenIds(cp.config().vocabSize());
            Tokens.checkVocabulary(tokens, cp.config().vocabSize(), input.tokenOrigin());
            RunOptions options = model.toRunOptions().withDtype(input.dtypeOrNull()).withProgress(progress);
            trace = engine.run(tokens, options);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        TraceWriter.write(trace, out, overwrite);
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s: %s, %s, %d tokens, %d steps in %.2f s; top-1 token %d (logit %.6g)%n", out,
                trace.producer().name(), trace.dtype().traceName(), trace.input().tokenIds().length,
                trace.steps().size(), seconds, trace.topK().isEmpty() ? -1 : trace.topK().get(0).tokenId(),
                trace.topK().isEmpty() ? Double.NaN : trace.topK().get(0).logit());
        w.flush();
        NonFinite.describe(trace).ifPresent(msg -> {
            PrintWriter err = spec.commandLine().getErr();
            err.println("layerwise: warning: " + msg);
            err.flush();
        });
        return 0;
    }
}
