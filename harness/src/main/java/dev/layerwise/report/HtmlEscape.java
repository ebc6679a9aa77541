package dev.layerwise.report;

/** Text from a trace, made inert in report.html: entities for markup characters, control characters made visible. */
final class HtmlEscape {
    private HtmlEscape() {
    }

    /** Text for element content or a quoted attribute value. */
    static String text(String s) {
        String v = SafeText.visible(s);
        StringBuilder out = new StringBuilder(v.length() + 8);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A message whose backtick-quoted parts are code (diagnoses): those become {@code <code>} elements. */
    static String inline(String message) {
        StringBuilder out = new StringBuilder();
        for (InlineCode part : InlineCode.split(message)) {
            out.append(part.code() ? "<code>" + text(part.text()) + "</code>" : text(part.text()));
        }
        return out.toString();
    }
}
