package dev.layerwise.report;

import dev.layerwise.LayerwiseException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The report kinds written into a report directory. */
public enum ReportFormat {
    MD("report.md"),
    HTML("report.html"),
    JSON("report.json"),
    JUNIT("junit.xml");

    private final String fileName;

    ReportFormat(String fileName) {
        this.fileName = fileName;
    }

    public String fileName() {
        return fileName;
    }

    /** Parses "md,html,json,junit" (any subset, any order). */
    public static Set<ReportFormat> parseList(String list) {
        Set<ReportFormat> out = EnumSet.noneOf(ReportFormat.class);
        for (String part : list.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            switch (p) {
                case "md", "markdown" -> out.add(MD);
                case "html" -> out.add(HTML);
                case "json" -> out.add(JSON);
                case "junit", "xml" -> out.add(JUNIT);
                default -> throw new LayerwiseException(LayerwiseException.BAD_INPUT, "--format: unknown report kind '"
                        + part.trim() + "' (expected a comma-separated list of md, html, json, junit)");
            }
        }
        if (out.isEmpty()) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "--format: no report kind given");
        }
        return out;
    }
}
