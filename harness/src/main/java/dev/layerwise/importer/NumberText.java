package dev.layerwise.importer;

import java.util.Locale;

/** Parses numbers as foreign dumps print them: {@code **4.902344**}, {@code inf}, {@code -nan}, {@code 1e-3}. */
final class NumberText {
    private NumberText() {
    }

    /** The value, or null when {@code text} is not a number. */
    static Double parse(String text) {
        String s = MarkdownText.strip(text).toLowerCase(Locale.ROOT).replace("−", "-");
        switch (s) {
            case "inf", "+inf", "infinity", "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            case "nan", "-nan", "+nan":
                return Double.NaN;
            default:
                break;
        }
        if (!s.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)(e[-+]?\\d+)?")) {
            return null;
        }
        return Double.parseDouble(s);
    }

    /** The int value of a run of ASCII digits, or null when it is too large for an int. */
    static Integer wholeNumber(String digits) {
        try {
            return Integer.valueOf(digits);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Digits after the decimal point of a printed number (4 for "-0.0181"), 0 when none. */
    static int decimals(String text) {
        String s = text.trim();
        int e = s.toLowerCase(Locale.ROOT).indexOf('e');
        if (e >= 0) {
            s = s.substring(0, e);
        }
        int dot = s.indexOf('.');
        return dot < 0 ? 0 : s.length() - dot - 1;
    }
}
