package dev.layerwise.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Diagnosis messages mark step names as inline code with backticks ({@code `layers.0.gate`}). This splits such a
 * message into plain and code parts so that each report format renders them its own way (Markdown code spans,
 * HTML {@code <code>}). An unpaired backtick is plain text.
 */
record InlineCode(String text, boolean code) {

    static List<InlineCode> split(String message) {
        List<InlineCode> parts = new ArrayList<>();
        if (message == null) {
            return parts;
        }
        int from = 0;
        while (from < message.length()) {
            int open = message.indexOf('`', from);
            int close = open < 0 ? -1 : message.indexOf('`', open + 1);
            if (close < 0) {
                parts.add(new InlineCode(message.substring(from), false));
                break;
            }
            if (open > from) {
                parts.add(new InlineCode(message.substring(from, open), false));
            }
            parts.add(new InlineCode(message.substring(open + 1, close), true));
            from = close + 1;
        }
        return parts;
    }
}
