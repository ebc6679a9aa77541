package dev.layerwise.report;

import java.util.regex.Pattern;

/**
 * Text from a trace, made inert in report.md: no raw HTML ({@code <} and {@code &} become entities; without a
 * {@code <} no tag can open, so {@code >} stays readable in "value > limit"), no
 * links or images ({@code [ ]} escaped), no table breaks ({@code |} escaped), no new lines or headings (line breaks
 * and control characters made visible by {@link SafeText}), no stray code spans or emphasis.
 */
final class MarkdownEscape {
    /** Names shown as a code span as they are; anything else is shown as escaped plain text. */
    private static final Pattern PLAIN_CODE = Pattern.compile("[\\p{L}\\p{N}._:+\\-/=, ()]+");

    private MarkdownEscape() {
    }

    /** Plain text for a table cell, a list item or a heading. */
    static String text(String s) {
        String v = SafeText.visible(s);
        StringBuilder out = new StringBuilder(v.length() + 8);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '&' -> out.append("&amp;");
                case '\\', '|', '`', '*', '[', ']', '~' -> out.append('\\').append(c);
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A name as an inline code span, or as escaped text when a code span could not hold it safely. */
    static String code(String s) {
        String v = SafeText.visible(s);
        return !v.isEmpty() && v.equals(v.strip()) && PLAIN_CODE.matcher(v).matches() ? "`" + v + "`" : text(s);
    }

    /** A message whose backtick-quoted parts are code (diagnoses). */
    static String inline(String message) {
        StringBuilder out = new StringBuilder();
        for (InlineCode part : InlineCode.split(message)) {
            out.append(part.code() ? code(part.text()) : text(part.text()));
        }
        return out.toString();
    }
}
