package dev.layerwise.cli;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.report.ConsoleSummary;
import dev.layerwise.report.Reports;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code layerwise compare REFERENCE CANDIDATE}: localizes and diagnoses the first divergent step. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare a candidate trace with a reference step by step: the first divergent step, why, "
                + "and reports (md, html, json, junit).",
            "Exit status: 0 every common step within tolerance, 1 a divergence, 2 bad input, 3 not comparable."})
public final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REFERENCE", description = "The trusted trace (e.g. Hugging Face).")
    Path reference;

    @Parameters(index = "1", paramLabel = "CANDIDATE", description = "The trace under test.")
    Path candidate;

    @Mixin
    ReportOptions reports;

    @Option(names = "--profile", paramLabel = "auto|FILE", defaultValue = "auto",
            description = "Tolerances: auto (derived from dtype and model) or a profile written by 'layerwise calibrate'.")
    String profile;

    @Override
    public Integer call() {
        var formats = reports.formats();
        TraceComparator comparator = "auto".equals(profile) ? TraceComparator.create()
                : TraceComparator.create().withProfile(Path.of(profile));
        Trace ref = TraceReader.read(reference);
        Trace cand = TraceReader.read(candidate);
        Comparison c = comparator.compare(ref, cand);
        PrintWriter out = spec.commandLine().getOut();
        ConsoleSummary.print(c, out);
        Path dir = reports.directory("compare");
        Reports.write(dir, formats, c);
        out.println("  reports: " + dir);
        out.flush();
        return c.exitCode();
    }
}
