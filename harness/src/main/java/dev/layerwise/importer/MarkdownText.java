package dev.layerwise.importer;

/** Markdown inline cleanup for table cells: bold/italic/code markers removed, whitespace collapsed. */
final class MarkdownText {
    private MarkdownText() {
    }

    static String strip(String cell) {
        return cell.replace("**", "").replace("__", "").replace("`", "").replaceAll("\\s+", " ").trim();
    }
}
