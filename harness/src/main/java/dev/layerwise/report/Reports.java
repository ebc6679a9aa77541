package dev.layerwise.report;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.io.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.function.Function;

/** Writes a report directory atomically: every selected format, or nothing. */
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

    public static void write(Path dir, Set<ReportFormat> formats, Comparison c) {
        write(dir, formats, f -> switch (f) {
            case MD -> MarkdownReport.render(c);
            case HTML -> HtmlReport.render(c);
            case JSON -> JsonReport.render(c);
            case JUNIT -> JunitReport.render(c);
        });
    }

    public static void write(Path dir, Set<ReportFormat> formats, DeterminismResult d) {
        write(dir, formats, f -> switch (f) {
            case MD -> MarkdownReport.render(d);
            case HTML -> HtmlReport.render(d);
            case JSON -> JsonReport.render(d);
            case JUNIT -> JunitReport.render(d);
        });
    }

    private static void write(Path dir, Set<ReportFormat> formats, Function<ReportFormat, String> render) {
        AtomicFiles.writeDirectory(dir, AtomicFiles.Overwrite.ALLOW, tmp -> {
            for (ReportFormat f : formats) {
                Files.writeString(tmp.resolve(f.fileName()), render.apply(f), StandardCharsets.UTF_8);
            }
        });
    }
}
