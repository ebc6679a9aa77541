package dev.layerwise.cli;

import dev.layerwise.compare.DeterminismAnalyzer;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code layerwise determinism TRACE TRACE [TRACE...]}: are repeated runs bit-identical, step by step? */
@Command(name = "determinism", mixinStandardHelpOptions = true,
        description = {"Check repeated runs of one model on one input for bit-identity, step by step.",
            "Exit status: 0 deterministic, 1 not, 2 bad input, 3 the traces are not repeats of one run."})
public final class DeterminismCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "2..*", paramLabel = "TRACE", description = "Two or more traces of the same run.")
    List<Path> traces;

    @Mixin
    ReportOptions reports;

    @Override
    public Integer call() {
        reports.formats(); // a bad --format fails before any work
        List<Trace> runs = traces.stream().map(TraceReader::read).toList();
        DeterminismResult d = DeterminismAnalyzer.analyze(runs);
        reports.publish("determinism", d, spec.commandLine().getOut());
        return d.exitCode();
    }
}
