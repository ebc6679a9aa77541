package dev.layerwise.compare;

/**
 * Everything measured about one step of a candidate against the reference's. A field is null when either trace
 * lacks what it needs (a sum-only foreign dump has only {@code sumOnlyDev}).
 *
 * @param bitIdentical sha256 equal (null when either hash is missing)
 * @param relL2 ||cand - ref|| / ||ref||, estimated from the sketches (relative noise 1/sqrt(2k))
 * @param relL2Bound an exact lower bound on ||cand - ref|| / ||ref|| from the per-row norms and sums
 *     ({@link MetricCalculator#relL2LowerBound}); null without row data
 * @param sumDev |Δsum| / abs_sum(ref), or / abs_sum(cand) when only the candidate records abs_sum
 * @param sumOnlyDev |Δsum| / max(|ref sum|, tiny), when no abs_sum is known (low confidence)
 * @param normRatio cand L2 / ref L2
 * @param rowNormDev per row: |cand row L2 - ref row L2| / ref row L2
 * @param rowSumDev per row: |Δ row sum| / estimated row abs sum of the reference
 * @param sketchK sketch length, 0 without sketches
 * @param nonFiniteCounted both steps carry non-finite counts (else they are inferred from the sums)
 * @param lastRow for a last-row pair ({@link StepPair#lastRowOnly()}) the row of the whole step that was compared;
 *     {@code sumDev}, {@code sumOnlyDev} and {@code normRatio} then describe that row alone. Null otherwise.
 */
public record StepMetrics(
        Boolean bitIdentical,
        Double relL2,
        Double relL2Bound,
        Double sumDev,
        Double sumOnlyDev,
        Double normRatio,
        Long refNonFinite,
        Long candNonFinite,
        Double refZeroFraction,
        Double candZeroFraction,
        double[] rowNormDev,
        double[] rowSumDev,
        int sketchK,
        boolean nonFiniteCounted,
        Integer lastRow) {

    public boolean hasRows() {
        return rowNormDev != null || rowSumDev != null;
    }

    /** Per row, the larger of the norm and sum deviations (null without row data). */
    public double[] rowDeviation() {
        if (!hasRows()) {
            return null;
        }
        int n = rowNormDev != null ? rowNormDev.length : rowSumDev.length;
        double[] d = new double[n];
        for (int r = 0; r < n; r++) {
            double a = rowNormDev == null ? 0 : rowNormDev[r];
            double b = rowSumDev == null ? 0 : rowSumDev[r];
            d[r] = Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
        }
        return d;
    }

    public Double maxRowNormDev() {
        return max(rowNormDev);
    }

    public Double maxRowSumDev() {
        return max(rowSumDev);
    }

    /** |normRatio - 1|, or null. */
    public Double normDev() {
        return normRatio == null ? null : Math.abs(normRatio - 1);
    }

    /** True when only sums could be compared (low confidence). */
    public boolean sumOnly() {
        return (sumOnlyDev != null || sumDev != null) && relL2 == null && relL2Bound == null && normRatio == null
                && bitIdentical == null && !hasRows();
    }

    /** True when the metrics cannot show agreement: sums alone, or one row of a last-row pair. */
    public boolean lowConfidence() {
        return sumOnly() || lastRow != null;
    }

    /** The headline deviation for tables: relative L2 when known, else the sum deviation. */
    public Double headline() {
        if (relL2 != null) {
            return relL2;
        }
        if (sumDev != null) {
            return sumDev;
        }
        return sumOnlyDev;
    }

    /** The largest entry; NaN when any entry is NaN. */
    private static Double max(double[] v) {
        if (v == null) {
            return null;
        }
        double m = 0;
        for (double x : v) {
            if (Double.isNaN(x)) {
                return Double.NaN;
            }
            m = Math.max(m, x);
        }
        return m;
    }
}
