package dev.layerwise.compare;

import dev.layerwise.trace.LastRowSteps;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;

/** What can be said about one step from whatever it carries (a full trace's step or a foreign dump's sum). */
public final class StepFacts {
    private StepFacts() {
    }

    /**
     * Number of non-finite values: the recorded counts, else 1 when the sum is non-finite (at least one), 0 when it
     * is finite and no counts were kept.
     */
    public static long nonFinite(Step s) {
        Long counted = s.stats().nonFinite();
        if (counted != null) {
            return counted;
        }
        return Double.isFinite(s.stats().sum()) ? 0L : 1L;
    }

    /** True when the step is exactly zero everywhere as far as its statistics show. */
    public static boolean isAllZero(Step s) {
        Stats st = s.stats();
        if (st.zeros() != null && st.count() != null) {
            return st.zeros().longValue() == st.count().longValue();
        }
        if (st.sumSq() != null) {
            return st.sumSq() == 0.0;
        }
        if (st.absSum() != null) {
            return st.absSum() == 0.0;
        }
        return st.sum() == 0.0;
    }

    /** True when the step is known to hold a non-zero value (abs_sum or sum_sq > 0, else a non-zero sum). */
    public static boolean isNonZero(Step s) {
        Stats st = s.stats();
        if (st.absSum() != null) {
            return st.absSum() > 0;
        }
        if (st.sumSq() != null) {
            return st.sumSq() > 0;
        }
        return st.sum() != 0.0 && !Double.isNaN(st.sum());
    }

    /** Fraction of exact zeros, or null when not recorded. */
    public static Double zeroFraction(Step s) {
        Stats st = s.stats();
        if (st.zeros() == null || st.count() == null || st.count() == 0) {
            return null;
        }
        return st.zeros() / (double) st.count();
    }

    /** Largest finite |value|, or null. */
    public static Double maxAbs(Step s) {
        Stats st = s.stats();
        if (st.min() == null || st.max() == null) {
            return null;
        }
        return Math.max(Math.abs(st.min()), Math.abs(st.max()));
    }

    /** A short description of the sum for reports; a last-row step says so ("last row: -34784"). */
    public static String describeSum(Step s) {
        String sum = Numbers.format(s.stats().sum());
        return LastRowSteps.isLastRow(s.name()) ? "last row: " + sum : sum;
    }
}
