package dev.layerwise.report;

/**
 * Makes text that comes from a trace (step names, producer fields, file names, messages quoting them) harmless to
 * show: every control character, bidirectional override and other invisible character that can rewrite what a
 * reader sees (terminal escape sequences, carriage returns, line breaks inside a name, right-to-left overrides) is
 * replaced by a visible escape such as {@code \u001b}, {@code \n} or {@code \u202e}. The format escapers
 * ({@link MarkdownEscape}, {@link HtmlEscape}, {@link XmlEscape}, {@link ConsoleText}) start from this.
 */
public final class SafeText {
    private SafeText() {
    }

    /** Every unsafe character, line breaks included, made visible. */
    public static String visible(String s) {
        return replace(s, false);
    }

    /** Like {@link #visible}, but keeps {@code '\n'} as a line break (text that is meant to span lines). */
    public static String visibleKeepingLineBreaks(String s) {
        return replace(s, true);
    }

    private static String replace(String s, boolean keepLineBreaks) {
        if (s == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                if (out != null) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean unsafe = isUnsafe(c) && !(keepLineBreaks && c == '\n');
            if (unsafe && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (unsafe) {
                    appendEscape(out, c);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }

    /**
     * Control characters (C0, DEL, C1), bidirectional marks, embeddings, overrides and isolates, the Unicode line and
     * paragraph separators, the byte-order mark, the XML-illegal U+FFFE/U+FFFF and unpaired surrogates.
     */
    static boolean isUnsafe(char c) {
        return Character.getType(c) == Character.CONTROL
                || c == '\u061c' || c == '\u200e' || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u2028' || c == '\u2029' || c == '\ufeff' || c == '\ufffe' || c == '\uffff'
                || Character.isSurrogate(c);
    }

    private static void appendEscape(StringBuilder out, char c) {
        switch (c) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> out.append(String.format("\\u%04x", (int) c));
        }
    }
}
