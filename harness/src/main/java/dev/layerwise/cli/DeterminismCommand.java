package dev.layerwise.cli;

import dev.layerwise.compare.DeterminismAnalyzer;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.report.ConsoleSummary;
import dev.layerwise.report.ReportFormat;
import dev.layerwise.report.Reports;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    @Option(names = "--report-dir", paramLabel = "DIR",
            description = "Where to write the reports (default: reports/determinism-<yyyyMMdd-HHmmss>).")
    Path reportDir;

    @Option(names = "--format", paramLabel = "LIST", defaultValue = "md,html,json,junit",
            description = "Report kinds, comma-separated: md, html, json, junit (default: all).")
    String format;

    @Override
    public Integer call() {
        var formats = ReportFormat.parseList(format);
        List<Trace> runs = traces.stream().map(TraceReader::read).toList();
        DeterminismResult d = DeterminismAnalyzer.analyze(runs);
        PrintWriter out = spec.commandLine().getOut();
        ConsoleSummary.print(d, out);
        Path dir = reportDir != null ? reportDir : Reports.defaultDirectory("determinism");
        Reports.write(dir, formats, d);
        out.println("  reports: " + dir);
        out.flush();
        return d.exitCode();
    }
}
