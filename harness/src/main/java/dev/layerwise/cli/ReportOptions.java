package dev.layerwise.cli;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.report.ConsoleSummary;
import dev.layerwise.report.ReportFormat;
import dev.layerwise.report.Reports;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Set;
import picocli.CommandLine.Option;

/** The report options shared by compare, check, determinism and rerun (a picocli mixin). */
public final class ReportOptions {
    @Option(names = "--report-dir", paramLabel = "DIR",
            description = "Where to write the reports (default: reports/<command>-<yyyyMMdd-HHmmss>).")
    Path reportDir;

    @Option(names = "--format", paramLabel = "LIST", defaultValue = "md,html,json,junit",
            description = "Report kinds, comma-separated: md, html, json, junit (default: all).")
    String format;

    Set<ReportFormat> formats() {
        return ReportFormat.parseList(format);
    }

    Path directory(String kind) {
        return reportDir != null ? reportDir : Reports.defaultDirectory(kind);
    }

    /** Prints the summary, writes the reports of command {@code kind} and says where. */
    void publish(String kind, Comparison c, PrintWriter out) {
        ConsoleSummary.print(c, out);
        Path dir = directory(kind);
        Reports.write(dir, formats(), c);
        out.println("  reports: " + dir);
        out.flush();
    }

    /** Prints the summary, writes the reports of command {@code kind} and says where. */
    void publish(String kind, DeterminismResult d, PrintWriter out) {
        ConsoleSummary.print(d, out);
        Path dir = directory(kind);
        Reports.write(dir, formats(), d);
        out.println("  reports: " + dir);
        out.flush();
    }
}
