package dev.layerwise.report;

import dev.layerwise.compare.Verdict;

/**
 * Verdict icons for report.html as small inline SVG, so that they render the same in every browser without an
 * emoji font (and without any external resource). Each icon has a text alternative.
 */
final class HtmlIcons {
    private static final String PASS = icon("pass", "#2e7d32", "<path d='M3.2 6.3l1.9 1.9 3.7-4.1'/>");
    private static final String NEAR = icon("within tolerance, low confidence", "#b58900",
            "<path d='M6 3.2v3.3M6 8.3v.5'/>");
    private static final String FAIL = icon("divergence", "#c62828", "<path d='M3.7 3.7l4.6 4.6M8.3 3.7l-4.6 4.6'/>");
    private static final String PROPAGATED = icon("propagated", "#ef6c00",
            "<path d='M3.7 3.7l4.6 4.6M8.3 3.7l-4.6 4.6'/>");
    private static final String SKIPPED = icon("one trace only", "#9e9e9e", "<path d='M3.5 6h5'/>");

    private HtmlIcons() {
    }

    static String of(Verdict v) {
        return switch (v) {
            case PASS -> PASS;
            case MARGINAL, LOW_CONFIDENCE -> NEAR;
            case FAIL -> FAIL;
            case PROPAGATED -> PROPAGATED;
            case SKIPPED -> SKIPPED;
        };
    }

    private static String icon(String label, String color, String mark) {
        return "<svg class=icon width=12 height=12 viewBox='0 0 12 12' role=img aria-label='" + label + "'>"
                + "<circle cx=6 cy=6 r=6 fill='" + color + "'/>"
                + "<g stroke='#fff' stroke-width=1.6 fill=none stroke-linecap=round>" + mark + "</g></svg>";
    }
}
