package dev.layerwise.cli;

import dev.layerwise.engine.Engine;
import dev.layerwise.LayerwiseException;
import dev.layerwise.compare.DeterminismAnalyzer;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.engine.Tokens;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code layerwise rerun}: runs the engine N times on one input and checks every step for bit-identity. */
@Command(name = "rerun", description = {"Runs a checkpoint N times and checks that every step is bit-identical (engine determinism).",
            "Compares every step's SHA-256 across the runs with the same options.",
            "Exit status: 0 deterministic, 1 not, 2 bad input."})
public final class RerunCommand extends LayerwiseCommand {

    @Mixin
    ModelRunOptions model;

    @Mixin
    InputOptions input;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "Number of runs (>= 2). Default: ${DEFAULT-VALUE}.")
    int runs;

    @Mixin
    EngineCommandOptions engineCmd;

    @Mixin
    ReportOptions reports;

    @Override
    public Integer call() {
        if (runs < 2) {
            throw LayerwiseException.badInput("--runs", null, "needs at least 2 runs, got " + runs);
        }
        reports.check("rerun"); // a refused report folder fails before the engine runs
        RunOptions options = model.toRunOptions().withDtype(input.dtypeOrNull());
        List<Trace> traces = new ArrayList<>();
        try (Engine engine = engineCmd.open(model, options.engine())) {
            int[] tokens = input.tokenIds(engine.vocabSize());
            Tokens.checkVocabulary(tokens, engine.vocabSize(), input.tokenOrigin());
            for (int r = 1; r <= runs; r++) {
                try (LayerProgress progress = new LayerProgress("run " + r + "/" + runs, model.forceProgress())) {
                    traces.add(engine.run(tokens, options.withProgress(progress)));
                }
            }
        }
        DeterminismResult d = DeterminismAnalyzer.analyze(traces);
        reports.publish("rerun", d, out());
        return d.exitCode();
    }
}
