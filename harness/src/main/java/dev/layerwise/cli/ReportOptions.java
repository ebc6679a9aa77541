package dev.layerwise.cli;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.io.OutputFolder;
import dev.layerwise.report.Charts;
import dev.layerwise.report.ConsoleSummary;
import dev.layerwise.report.ReportFormat;
import dev.layerwise.report.Reports;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** The report options shared by compare, check, determinism and rerun (a picocli mixin). */
public final class ReportOptions {
    @Option(names = "--report-dir", paramLabel = "DIR",
            description = "Where to write the reports (default: reports/<command>-<yyyyMMdd-HHmmss>): a new folder, or"
                    + " one holding only a previous Layerwise report (docs/reports.md, \"Where reports go\").")
    Path reportDir;

    @Option(names = "--format", paramLabel = "LIST", defaultValue = "md,html,json,junit", split = ",",
            converter = OptionConverters.Report.class,
            description = "Report kinds, comma-separated: md, html, json, junit (default: all).")
    List<ReportFormat> formats;

    @Option(names = "--force", description = "Add the reports to a --report-dir that holds other files (those are never"
            + " replaced or removed); check: also replace an existing --out trace.")
    boolean force;

    private Path resolved;

    Set<ReportFormat> formats() {
        return EnumSet.copyOf(formats);
    }

    /**
     * Checks the report folder before any work, so a refusal costs nothing (picocli has checked --format); then
     * starts warming the chart library up if an HTML report will be written.
     */
    void check(String kind) {
        OutputFolder.check(directory(kind), force, OutputFolder.Previous.REPLACE);
        if (formats.contains(ReportFormat.HTML)) {
            Charts.warmUpInBackground();
        }
    }

    Path directory(String kind) {
        if (resolved == null) {
            resolved = reportDir != null ? reportDir : Reports.defaultDirectory(kind);
        }
        return resolved;
    }

    /** Prints the summary, writes the reports of command {@code kind} and says where. */
    void publish(String kind, Comparison c, PrintWriter out) {
        ConsoleSummary.print(c, out);
        write(kind, folder -> Reports.write(folder, formats(), c), out);
    }

    /** Prints the summary, writes the reports of command {@code kind} and says where. */
    void publish(String kind, DeterminismResult d, PrintWriter out) {
        ConsoleSummary.print(d, out);
        write(kind, folder -> Reports.write(folder, formats(), d), out);
    }

    private void write(String kind, Consumer<OutputFolder> report, PrintWriter out) {
        try (OutputFolder folder = OutputFolder.open(directory(kind), force, OutputFolder.Previous.REPLACE)) {
            report.accept(folder);
        }
        out.println("  reports: " + directory(kind));
        out.flush();
    }
}
