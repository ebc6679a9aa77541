package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.compare.TraceComparator;
import picocli.CommandLine.Option;

/** The {@code --min-coverage} option shared by compare and check (a picocli mixin). */
public final class CoverageOption {
    @Option(names = "--min-coverage", paramLabel = "F", defaultValue = "0",
            description = {"Fail (exit 3, 'insufficient coverage') unless at least this fraction (0..1) of the "
                    + "reference's steps was compared (default 0: any, but never none).",
                "A divergence among the compared steps is reported as such (exit 1) whatever the coverage."})
    double minCoverage;

    /** The comparator with the minimum applied; a value outside 0..1 is bad input. */
    TraceComparator apply(TraceComparator comparator) {
        if (!(minCoverage >= 0 && minCoverage <= 1)) {
            throw LayerwiseException.badInput("--min-coverage", null, "expected a fraction in 0..1, got " + minCoverage);
        }
        return comparator.withMinCoverage(minCoverage);
    }
}
