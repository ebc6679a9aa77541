package dev.layerwise.cli;

import dev.layerwise.report.ReportFormat;
import dev.layerwise.report.Reports;
import java.nio.file.Path;
import java.util.Set;
import picocli.CommandLine.Option;

/** The report options shared by compare and determinism (a picocli mixin). */
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
}
