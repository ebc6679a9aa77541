package dev.layerwise.compare;

import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;

/** Computes {@link StepMetrics} from two recorded steps of the same name and shape. */
public final class MetricCalculator {
    /** Denominator floor for sum-only deviations: avoids dividing by an exactly zero reference sum. */
    static final double TINY = 1e-30;

    private MetricCalculator() {
    }

    /**
     * @param sketchesComparable both traces use the same sketch kind, k and seed
     */
    public static StepMetrics compare(Step ref, Step cand, boolean sketchesComparable) {
        Stats r = ref.stats();
        Stats c = cand.stats();
        Boolean identical = ref.sha256() != null && cand.sha256() != null
                ? ref.sha256().equals(cand.sha256()) && ref.dtype() == cand.dtype() : null;
        long refNonFinite = StepFacts.nonFinite(ref);
        long candNonFinite = StepFacts.nonFinite(cand);
        boolean finite = refNonFinite == 0 && candNonFinite == 0;

        Double relL2 = null;
        int k = 0;
        if (finite && sketchesComparable && ref.sketch() != null && cand.sketch() != null && r.sumSq() != null
                && ref.sketch().length == cand.sketch().length) {
            k = ref.sketch().length;
            relL2 = relative(sketchDistance(ref.sketch(), cand.sketch()), Math.sqrt(r.sumSq()));
        }
        Double sumDev = null;
        Double sumOnlyDev = null;
        // The sum's scale is the reference's abs_sum, else the candidate's (a sum-only reference against a full
        // candidate); only without either is the deviation taken relative to the sum itself (cancellation-prone).
        Double absScale = r.absSum() != null ? r.absSum() : c.absSum();
        if (finite && absScale != null) {
            sumDev = relative(Math.abs(c.sum() - r.sum()), absScale);
        } else if (finite) {
            sumOnlyDev = Math.abs(c.sum() - r.sum()) / Math.max(Math.abs(r.sum()), TINY);
        }
        Double normRatio = finite && r.sumSq() != null && c.sumSq() != null
                ? ratio(Math.sqrt(c.sumSq()), Math.sqrt(r.sumSq())) : null;

        double[] rowNorm = null;
        double[] rowSum = null;
        if (finite && ref.rowSumSq() != null && cand.rowSumSq() != null) {
            rowNorm = new double[ref.rowSumSq().length];
            for (int i = 0; i < rowNorm.length; i++) {
                double a = Math.sqrt(ref.rowSumSq()[i]);
                rowNorm[i] = relative(Math.abs(Math.sqrt(cand.rowSumSq()[i]) - a), a);
            }
        }
        if (finite && ref.rowSums() != null && cand.rowSums() != null && ref.rowSumSq() != null) {
            rowSum = rowSumDeviations(ref, cand);
        }
        Double bound = finite && r.sumSq() != null ? relL2LowerBound(ref, cand) : null;
        return new StepMetrics(identical, relL2, bound, sumDev, sumOnlyDev, normRatio, refNonFinite, candNonFinite,
                StepFacts.zeroFraction(ref), StepFacts.zeroFraction(cand), rowNorm, rowSum, k,
                r.nonFinite() != null && c.nonFinite() != null, null);
    }

    /**
     * An exact lower bound on ||cand - ref|| / ||ref|| from what the rows record: for each row r with difference d_r,
     * ||d_r|| >= | ||cand_r|| - ||ref_r|| | (triangle inequality) and ||d_r|| >= |sum(d_r)| / sqrt(n_row)
     * (Cauchy-Schwarz), so ||d||^2 >= sum_r max of the two squared. Unlike the sketch estimate it has no noise: a
     * bound above tolerance is proof. Null when the rows are not recorded on both sides.
     */
    public static Double relL2LowerBound(Step ref, Step cand) {
        double[] ra = ref.rowSumSq();
        double[] ca = cand.rowSumSq();
        double[] rs = ref.rowSums();
        double[] cs = cand.rowSums();
        boolean norms = ra != null && ca != null;
        boolean sums = rs != null && cs != null;
        if (!norms && !sums) {
            return null;
        }
        int rows = norms ? ra.length : rs.length;
        double rowLength = (double) ref.elementCount() / Math.max(1, ref.shape()[0]);
        double sq = 0;
        for (int i = 0; i < rows; i++) {
            double byNorm = norms ? Math.sqrt(ca[i]) - Math.sqrt(ra[i]) : 0;
            double bySum = sums ? (cs[i] - rs[i]) / Math.sqrt(rowLength) : 0;
            sq += Math.max(byNorm * byNorm, bySum * bySum);
        }
        return relative(Math.sqrt(sq), Math.sqrt(ref.stats().sumSq()));
    }

    /** sqrt(mean_j (a_j - b_j)^2): estimates ||a - b||_2. */
    public static double sketchDistance(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double d = a[j] - b[j];
            s += d * d;
        }
        return Math.sqrt(s / a.length);
    }

    /** Row sum deviation scaled by an estimate of the row's abs sum ({@link #rowAbsEstimates}). */
    private static double[] rowSumDeviations(Step ref, Step cand) {
        double[] rs = ref.rowSums();
        double[] rowAbs = rowAbsEstimates(ref);
        double[] out = new double[rs.length];
        for (int i = 0; i < rs.length; i++) {
            out[i] = relative(Math.abs(cand.rowSums()[i] - rs[i]), rowAbs[i]);
        }
        return out;
    }

    /**
     * Each row's abs sum, estimated from its L2 norm ({@code row_sum_sq}, required) times the tensor's L1/L2 ratio;
     * without {@code abs_sum}, the Cauchy-Schwarz bound sum|x| <= sqrt(n) * ||x||.
     */
    static double[] rowAbsEstimates(Step s) {
        double[] rss = s.rowSumSq();
        double normSum = 0;
        for (double q : rss) {
            normSum += Math.sqrt(q);
        }
        Double absSum = s.stats().absSum();
        long rowLength = s.elementCount() / Math.max(1, s.shape()[0]);
        double[] out = new double[rss.length];
        for (int i = 0; i < rss.length; i++) {
            double rowNorm = Math.sqrt(rss[i]);
            out[i] = absSum != null && normSum > 0 ? rowNorm * absSum / normSum : rowNorm * Math.sqrt(rowLength);
        }
        return out;
    }

    /** diff / scale, with 0/0 = 0 and x/0 = inf. */
    static double relative(double diff, double scale) {
        if (scale == 0) {
            return diff == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return diff / scale;
    }

    static double ratio(double a, double b) {
        if (b == 0) {
            return a == 0 ? 1 : Double.POSITIVE_INFINITY;
        }
        return a / b;
    }
}
