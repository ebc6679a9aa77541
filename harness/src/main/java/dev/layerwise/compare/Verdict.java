package dev.layerwise.compare;

import java.util.Locale;

/** The outcome of one step of a comparison. */
public enum Verdict {
    /** Every metric within tolerance (or bit-identical). */
    PASS("ok", false),
    /** Within tolerance on exact metrics, but the noisy sketch estimate lies in its noise band above tolerance. */
    MARGINAL("~", false),
    /** Only a sum could be compared (foreign dump) and it agrees: not proof of agreement. */
    LOW_CONFIDENCE("~", false),
    /** The first failing step in canonical order: the divergence point. */
    FAIL("X", true),
    /** A failing step after the divergence point: most likely the earlier error carried forward. */
    PROPAGATED("x", true),
    /** Present in one trace only, or nothing in common to compare. */
    SKIPPED("-", false);

    private final String symbol;
    private final boolean failing;

    Verdict(String symbol, boolean failing) {
        this.symbol = symbol;
        this.failing = failing;
    }

    /**
     * A plain ASCII mark for text reports (console, Markdown), readable without an emoji font: {@code ok}, {@code ~}
     * (marginal or low confidence), {@code X} (divergence), {@code x} (propagated), {@code -} (one trace only).
     */
    public String symbol() {
        return symbol;
    }

    public boolean isFailing() {
        return failing;
    }

    /** Lower-case name used in report.json and junit.xml: pass, marginal, low_confidence, ... */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
