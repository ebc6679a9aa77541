package dev.layerwise.cli;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.trace.TraceReader;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code layerwise compare REFERENCE CANDIDATE}: localizes and diagnoses the first divergent step. */
@Command(name = "compare", description = {"Compare a candidate trace with a reference step by step: the first divergent step, why, "
                + "and reports (md, html, json, junit).",
            "Exit status: 0 every compared step within tolerance, 1 a divergence, 2 bad input, 3 not comparable "
                + "(including: no reference step compared, or less than --min-coverage)."})
public final class CompareCommand extends LayerwiseCommand {
    @Parameters(index = "0", paramLabel = "REFERENCE", description = "The trusted trace (e.g. Hugging Face).")
    Path reference;

    @Parameters(index = "1", paramLabel = "CANDIDATE", description = "The trace under test.")
    Path candidate;

    @Mixin
    ReportOptions reports;

    @Mixin
    ProfileOption profile;

    @Mixin
    CoverageOption coverage;

    @Override
    public Integer call() {
        reports.check("compare"); // a refused report folder fails before any work
        TraceComparator comparator = coverage.apply(profile.comparator());
        Comparison c = comparator.compare(TraceReader.read(reference), TraceReader.read(candidate));
        reports.publish("compare", c, out());
        return c.exitCode();
    }
}
