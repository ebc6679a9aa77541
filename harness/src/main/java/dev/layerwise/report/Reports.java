package dev.layerwise.report;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.io.OutputFolder;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes a report into an {@link OutputFolder}: every selected format is rendered before the first file is
 * written, then each file replaces its previous version; formats of a previous report that were not selected
 * this time are removed. Files Layerwise did not write are never touched.
 */
public final class Reports {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private Reports() {
    }

    /** {@code reports/<kind>-<yyyyMMdd-HHmmss>} under the project root (-Dlayerwise.root) or the working directory. */
    public static Path defaultDirectory(String kind) {
        String root = System.getProperty("layerwise.root");
        Path base = root == null || root.isBlank() ? Path.of("reports") : Path.of(root, "reports");
        return base.resolve(kind + "-" + LocalDateTime.now().format(STAMP));
    }

    /** Writes into {@code dir} without --force: a new folder or a previous report's. */
    public static void write(Path dir, Set<ReportFormat> formats, Comparison c) {
        try (OutputFolder folder = OutputFolder.open(dir, false, OutputFolder.Previous.REPLACE)) {
            write(folder, formats, c);
        }
    }

    /** Writes into {@code dir} without --force: a new folder or a previous report's. */
    public static void write(Path dir, Set<ReportFormat> formats, DeterminismResult d) {
        try (OutputFolder folder = OutputFolder.open(dir, false, OutputFolder.Previous.REPLACE)) {
            write(folder, formats, d);
        }
    }

    public static void write(OutputFolder folder, Set<ReportFormat> formats, Comparison c) {
        write(folder, formats, f -> switch (f) {
            case MD -> MarkdownReport.render(c);
            case HTML -> HtmlReport.render(c);
            case JSON -> JsonReport.render(c);
            case JUNIT -> JunitReport.render(c);
        });
    }

    public static void write(OutputFolder folder, Set<ReportFormat> formats, DeterminismResult d) {
        write(folder, formats, f -> switch (f) {
            case MD -> MarkdownReport.render(d);
            case HTML -> HtmlReport.render(d);
            case JSON -> JsonReport.render(d);
            case JUNIT -> JunitReport.render(d);
        });
    }

    private static void write(OutputFolder folder, Set<ReportFormat> formats, Function<ReportFormat, String> render) {
        Map<String, String> files = new LinkedHashMap<>();
        for (ReportFormat f : formats) {
            files.put(f.fileName(), render.apply(f));
        }
        files.forEach(folder::writeString);
        folder.commit();
    }
}
