package dev.layerwise.report;

import java.util.Locale;

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

    /**
     * Parses one report kind ("md", "html", "json", "junit"; "markdown" and "xml" are accepted too).
     *
     * @throws IllegalArgumentException naming the kinds
     */
    public static ReportFormat parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "md", "markdown" -> MD;
            case "html" -> HTML;
            case "json" -> JSON;
            case "junit", "xml" -> JUNIT;
            case "" -> throw new IllegalArgumentException("an empty report kind in the list (expected a comma-separated"
                    + " list of md, html, json, junit)");
            default -> throw new IllegalArgumentException("unknown report kind '" + name.trim()
                    + "' (expected a comma-separated list of md, html, json, junit)");
        };
    }
}
