package dev.layerwise.trace;

import java.util.Optional;

/**
 * The relations a step's statistics obey whatever produced them (docs/trace-format.md, "Consistency"). A trace that
 * breaks one contradicts itself, so no comparison built on it can be trusted, even when its hashes match.
 *
 * <p>Sums are compared with a rounding slack derived from float64 summation: any order of adding n terms (lanes,
 * pairwise, sequential) is within {@code gamma(n) * sum|x_i|} of the exact sum, {@code gamma(n) = n u / (1 - n u)},
 * {@code u = 2^-53} (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., eq. 4.4, for n - 1 additions;
 * n here leaves one rounding of headroom).
 */
final class StatsConsistency {
    static final double U = 0x1p-53;

    /** A violated rule: the field (relative to the step) and the cause. */
    record Violation(String field, String cause) {
    }

    private StatsConsistency() {
    }

    /** {@code n u / (1 - n u)}; infinite when n u >= 1/2 (no useful bound). */
    static double gamma(long n) {
        double nu = n * U;
        return nu >= 0.5 ? Double.POSITIVE_INFINITY : nu / (1 - nu);
    }

    /** The first rule {@code s} breaks, or empty. {@code elements} is the product of the shape. */
    static Optional<Violation> check(Step s, long elements) {
        Stats st = s.stats();
        long counted = 0;
        for (Long c : new Long[] {st.nan(), st.posInf(), st.negInf(), st.zeros()}) {
            counted += c == null ? 0 : c;
        }
        if (counted > elements) {
            return violation("stats", "nan + pos_inf + neg_inf + zeros = " + counted + " exceeds the " + elements
                    + " elements of the shape");
        }
        if (st.absSum() != null && st.absSum() < 0) {
            return violation("stats.abs_sum", "is negative (" + st.absSum() + ")");
        }
        if (st.sumSq() != null && st.sumSq() < 0) {
            return violation("stats.sum_sq", "is negative (" + st.sumSq() + ")");
        }
        if (s.rowSumSq() != null) {
            for (int i = 0; i < s.rowSumSq().length; i++) {
                if (s.rowSumSq()[i] < 0) {
                    return violation("row_sum_sq[" + i + "]", "is negative (" + s.rowSumSq()[i] + ")");
                }
            }
        }
        if (st.min() != null && st.max() != null && st.min() > st.max()) {
            return violation("stats.min", st.min() + " is greater than max " + st.max());
        }
        double g = gamma(elements + 1);
        if (st.absSum() != null && Double.isFinite(st.sum()) && Double.isFinite(st.absSum())) {
            // |fl(sum)| <= (1 + g) E and fl(abs_sum) >= (1 - g) E, E = sum|x_i|
            double limit = st.absSum() * (1 + g) / (1 - g);
            if (Math.abs(st.sum()) > limit) {
                return violation("stats.sum", "|sum| " + st.sum() + " exceeds abs_sum " + st.absSum()
                        + " beyond float64 rounding (limit " + limit + ")");
            }
        }
        Optional<Violation> rows = rowSums(s, g);
        if (rows.isPresent()) {
            return rows;
        }
        return rowSumSq(s, g);
    }

    /**
     * Row sums add up to the sum. Each row sum, their sum (taken here in order) and the step's sum are each within
     * {@code g E} of exact ({@code g = gamma(elements + 1)} bounds the shorter sums too), so they differ by at most
     * {@code 3 g (1 + g) E}; E is bounded by abs_sum / (1 - g), else by sqrt(n sum_sq / (1 - g)) (Cauchy-Schwarz).
     * Without either there is no scale and no check (a foreign dump's printed row sums).
     */
    private static Optional<Violation> rowSums(Step s, double g) {
        double[] rs = s.rowSums();
        Stats st = s.stats();
        Double scale = absSumBound(s, g);
        if (rs == null || scale == null || !Double.isFinite(st.sum())) {
            return Optional.empty();
        }
        double total = 0;
        for (double r : rs) {
            total += r;
        }
        double slack = 3 * g * (1 + g) * scale;
        if (!Double.isFinite(total) || Math.abs(total - st.sum()) <= slack) {
            return Optional.empty();
        }
        return violation("row_sums", "add up to " + total + ", not to sum " + st.sum() + " (difference "
                + Math.abs(total - st.sum()) + " beyond float64 rounding " + slack + ")");
    }

    /** Row sums of squares add up to sum_sq: the same argument, with E = sum_sq itself (every term >= 0). */
    private static Optional<Violation> rowSumSq(Step s, double g) {
        double[] rss = s.rowSumSq();
        Double sumSq = s.stats().sumSq();
        if (rss == null || sumSq == null || !Double.isFinite(sumSq)) {
            return Optional.empty();
        }
        double total = 0;
        for (double r : rss) {
            total += r;
        }
        double slack = 3 * g * (1 + g) * sumSq / (1 - g);
        if (!Double.isFinite(total) || Math.abs(total - sumSq) <= slack) {
            return Optional.empty();
        }
        return violation("row_sum_sq", "add up to " + total + ", not to sum_sq " + sumSq + " (difference "
                + Math.abs(total - sumSq) + " beyond float64 rounding " + slack + ")");
    }

    /** An upper bound on sum|x_i| from abs_sum, else from sum_sq; null without either (or when not finite). */
    private static Double absSumBound(Step s, double g) {
        Stats st = s.stats();
        if (st.absSum() != null) {
            return Double.isFinite(st.absSum()) ? st.absSum() / (1 - g) : null;
        }
        if (st.sumSq() != null && Double.isFinite(st.sumSq())) {
            return Math.sqrt(s.elementCount() * (st.sumSq() / (1 - g)));
        }
        return null;
    }

    private static Optional<Violation> violation(String field, String cause) {
        return Optional.of(new Violation(field, cause));
    }
}
