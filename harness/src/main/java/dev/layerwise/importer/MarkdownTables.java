package dev.layerwise.importer;

import dev.layerwise.LayerwiseException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Finds the pipe tables of a markdown file, with the heading above each and 1-based line numbers. */
final class MarkdownTables {

    /** One body row: its line number and its cells, markdown kept (callers strip it). */
    record Row(int line, List<String> cells) {
    }

    /** A table: the nearest heading above it (or ""), its header cells and body rows. */
    record Table(String heading, int line, List<String> header, List<Row> rows) {

        /** True for "step | sum | ..." tables: at least two columns, the second headed "...sum...". */
        boolean isStepTable() {
            return header.size() >= 2 && header.get(1).toLowerCase(Locale.ROOT).contains("sum");
        }

        String describe() {
            return "\"" + (heading.isEmpty() ? "(no heading)" : heading) + "\" (line " + line + ")";
        }
    }

    private MarkdownTables() {
    }

    static List<Table> parse(List<String> lines, Path file) {
        List<Table> tables = new ArrayList<>();
        String heading = "";
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i).trim();
            if (line.startsWith("#")) {
                heading = line.replaceFirst("^#+\\s*", "").trim();
                i++;
            } else if (line.startsWith("|") && i + 1 < lines.size() && isSeparator(lines.get(i + 1))) {
                List<String> header = cells(line);
                List<Row> rows = new ArrayList<>();
                int j = i + 2;
                while (j < lines.size() && lines.get(j).trim().startsWith("|")) {
                    rows.add(new Row(j + 1, cells(lines.get(j).trim())));
                    j++;
                }
                tables.add(new Table(heading, i + 1, header, rows));
                i = j;
            } else {
                i++;
            }
        }
        return tables;
    }

    /** Checks that every row has as many cells as the header (a malformed row is an error naming its line). */
    static void requireWellFormed(Table table, Path file) {
        for (Row r : table.rows()) {
            if (r.cells().size() != table.header().size()) {
                throw LayerwiseException.badInput(file, "line " + r.line(), "malformed table row: "
                        + r.cells().size() + " cells, the table " + table.describe() + " has "
                        + table.header().size() + " columns");
            }
        }
    }

    private static boolean isSeparator(String line) {
        String t = line.trim();
        return t.startsWith("|") && t.matches("\\|?(\\s*:?-{3,}:?\\s*\\|)+\\s*:?-*:?\\s*");
    }

    private static List<String> cells(String line) {
        String t = line.trim();
        if (t.startsWith("|")) {
            t = t.substring(1);
        }
        if (t.endsWith("|")) {
            t = t.substring(0, t.length() - 1);
        }
        return Arrays.stream(t.split("\\|", -1)).map(String::trim).toList();
    }
}
