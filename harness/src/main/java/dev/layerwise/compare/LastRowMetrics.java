package dev.layerwise.compare;

import dev.layerwise.trace.Step;

/**
 * Measures a last-row pair ({@link StepPair#lastRowOnly()}): the last-row step's sum against the last entry of the
 * whole step's {@code row_sums}, scaled by the row's abs sum when it is known or can be estimated (the last-row
 * step's {@code abs_sum}, else the whole step's {@code row_sum_sq}), else by |reference row sum|; and the row norms
 * when both sides record them. Non-finite counts are those of the whole steps: a candidate whose step is non-finite
 * anywhere fails whatever the rows say.
 */
public final class LastRowMetrics {
    private LastRowMetrics() {
    }

    public static StepMetrics compare(StepPair pair) {
        Step ref = pair.reference();
        Step cand = pair.candidate();
        Step partial = pair.partial();
        Step full = pair.full();
        int row = (int) full.shape()[0] - 1;
        long refNonFinite = StepFacts.nonFinite(ref);
        long candNonFinite = StepFacts.nonFinite(cand);
        boolean finite = refNonFinite == 0 && candNonFinite == 0;

        Double sumDev = null;
        Double sumOnlyDev = null;
        if (finite && full.rowSums() != null) {
            double r = partial == ref ? partial.stats().sum() : full.rowSums()[row];
            double c = partial == cand ? partial.stats().sum() : full.rowSums()[row];
            Double scale = rowAbs(partial, full, row);
            if (scale != null) {
                sumDev = MetricCalculator.relative(Math.abs(c - r), scale);
            } else {
                sumOnlyDev = Math.abs(c - r) / Math.max(Math.abs(r), MetricCalculator.TINY);
            }
        }
        Double normRatio = null;
        Double partialSq = partial.rowSumSq() != null ? Double.valueOf(partial.rowSumSq()[0]) : partial.stats().sumSq();
        if (finite && partialSq != null && full.rowSumSq() != null) {
            double p = Math.sqrt(partialSq);
            double f = Math.sqrt(full.rowSumSq()[row]);
            normRatio = partial == cand ? MetricCalculator.ratio(p, f) : MetricCalculator.ratio(f, p);
        }
        return new StepMetrics(null, null, null, sumDev, sumOnlyDev, normRatio, refNonFinite, candNonFinite, null, null,
                null, null, 0, ref.stats().nonFinite() != null && cand.stats().nonFinite() != null, row);
    }

    /** The row's abs sum: exact from the last-row step, else estimated from the whole step's row norms; or null. */
    private static Double rowAbs(Step partial, Step full, int row) {
        if (partial.stats().absSum() != null) {
            return partial.stats().absSum();
        }
        if (full.rowSumSq() != null) {
            return MetricCalculator.rowAbsEstimates(full)[row];
        }
        return null;
    }
}
