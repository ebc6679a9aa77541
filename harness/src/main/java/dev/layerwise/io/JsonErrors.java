package dev.layerwise.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a JSON parser's exception into the plain cause of a one-line error: what is wrong and where, without
 * the parser's class names, settings or source excerpts ("StreamReadConstraints", "[Source: REDACTED ...]").
 */
public final class JsonErrors {
    private static final Pattern LIMIT = Pattern.compile(
            "(Number value length|String value length|Name length|Document nesting depth|Token count|Document length)"
                    + "\\s*\\((\\d+)\\) exceeds the maximum allowed \\((\\d+).*");
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]");
    private static final Pattern FROM_SETTING = Pattern.compile(",? from `[^`]*`");
    private static final Pattern QUOTED_SETTING = Pattern.compile("\\s*\\(?`[A-Za-z]+\\.[A-Za-z_.()]+`[^)]*\\)?");

    private JsonErrors() {
    }

    /** {@code not valid JSON: Unrecognized token 'x': ... at line 1, column 7}, or what limit was passed. */
    public static String describe(JacksonException e) {
        String message = firstLine(e.getOriginalMessage());
        Matcher limit = LIMIT.matcher(message);
        if (e instanceof StreamConstraintsException || limit.matches()) {
            return limit.matches() ? "too large to read: " + limit(limit.group(1), limit.group(2), limit.group(3))
                    : "too large to read: " + clean(message);
        }
        return "not valid JSON: " + clean(message) + at(e.getLocation());
    }

    private static String limit(String what, String found, String max) {
        return switch (what) {
            case "Number value length" -> "a number has " + found + " digits (at most " + max + " are read)";
            case "String value length" -> "a string has " + found + " characters (at most " + max + " are read)";
            case "Name length" -> "a field name has " + found + " characters (at most " + max + " are read)";
            case "Document nesting depth" -> "nested " + found + " levels deep (at most " + max + " are read)";
            case "Token count" -> found + " JSON tokens (at most " + max + " are read)";
            default -> "the document has " + found + " bytes (at most " + max + " are read)";
        };
    }

    private static String clean(String message) {
        String s = SOURCE.matcher(message).replaceAll("line $1, column $2");
        s = FROM_SETTING.matcher(s).replaceAll("");
        s = QUOTED_SETTING.matcher(s).replaceAll("");
        return s.strip();
    }

    private static String at(JsonLocation where) {
        return where == null || where.getLineNr() < 1 ? ""
                : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
    }

    private static String firstLine(String message) {
        return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
    }
}
