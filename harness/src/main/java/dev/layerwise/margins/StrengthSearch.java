package dev.layerwise.margins;

import java.util.function.DoublePredicate;
import java.util.function.IntPredicate;

/**
 * The smallest strength at which a planted fault is caught, found with few forward passes. Assumes that a fault
 * caught at some strength is caught at every larger one (true of the error, not always of the verdict: the result is
 * the smallest strength caught among those tried, with every tried weaker one missed).
 */
final class StrengthSearch {
    private StrengthSearch() {
    }

    /** A strength found: the smallest caught value ({@code NaN} if none), and how it relates to the range. */
    record Found(double strength, Bound bound, int runs) {
    }

    enum Bound {
        /** The smallest value caught; the largest missed is within the search's resolution below it. */
        EXACT,
        /** Caught at the bottom of the range: the threshold is at or below it. */
        AT_MOST,
        /** Not caught even at the top of the range. */
        NOT_CAUGHT
    }

    /**
     * Geometric bisection of {@code (low, high]}: {@code high} is tried first, then {@code steps} midpoints (on a log
     * scale) narrow the bracket to a ratio of {@code (high/low)^(2^-steps)}; {@code low} itself is tried only when
     * every midpoint was caught.
     */
    static Found continuous(double low, double high, int steps, DoublePredicate caught) {
        int runs = 1;
        if (!caught.test(high)) {
            return new Found(Double.NaN, Bound.NOT_CAUGHT, runs);
        }
        double lo = low;
        double hi = high;
        for (int i = 0; i < steps; i++) {
            double mid = Math.sqrt(lo * hi);
            runs++;
            if (caught.test(mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        if (lo == low) {
            runs++;
            if (caught.test(low)) {
                return new Found(low, Bound.AT_MOST, runs);
            }
        }
        return new Found(hi, Bound.EXACT, runs);
    }

    /** The smallest caught integer in {@code [1, max]}: doubling from 1 until caught, then a binary search. */
    static Found integer(int max, IntPredicate caught) {
        int runs = 0;
        int missed = 0;
        int n = 1;
        while (true) {
            runs++;
            if (caught.test(n)) {
                break;
            }
            missed = n;
            if (n == max) {
                return new Found(Double.NaN, Bound.NOT_CAUGHT, runs);
            }
            n = (int) Math.min(max, 2L * n);
        }
        int hit = n;
        while (hit - missed > 1) {
            int mid = missed + (hit - missed) / 2;
            runs++;
            if (caught.test(mid)) {
                hit = mid;
            } else {
                missed = mid;
            }
        }
        return new Found(hit, Bound.EXACT, runs);
    }
}
