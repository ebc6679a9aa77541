package dev.layerwise.compare;

import java.util.Locale;

/** Number formatting shared by reports and messages: short, locale-independent, non-finite spelled out. */
public final class Numbers {
    private Numbers() {
    }

    /** Up to 10 significant digits (exact for the short sums of foreign dumps), plain for moderate magnitudes. */
    public static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e7) {
            String s = String.format(Locale.ROOT, "%.10g", v);
            if (s.contains(".") && !s.contains("e")) {
                s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
            }
            return s;
        }
        return String.format(Locale.ROOT, "%.3e", v);
    }

    /** Three significant digits in scientific notation (errors and tolerances). */
    public static String sci(double v) {
        if (!Double.isFinite(v)) {
            return format(v);
        }
        if (v == 0) {
            return "0";
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
