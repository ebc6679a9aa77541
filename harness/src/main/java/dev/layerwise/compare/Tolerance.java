package dev.layerwise.compare;

/**
 * Limits for one step. All relative: {@code relL2} bounds ||cand - ref|| / ||ref||; {@code sum} bounds
 * |Δsum| / abs_sum(ref); {@code norm} bounds |cand L2 / ref L2 - 1|; {@code row} bounds the per-row deviations;
 * {@code sumOnly} bounds |Δsum| / |ref sum| when only sums are known (foreign dumps).
 */
public record Tolerance(double relL2, double sum, double norm, double row, double sumOnly) {

    /** How much larger a single row's relative deviation may be than the whole step's (rows are small subsets). */
    public static final double ROW_SLACK = 4.0;

    /** The tolerance a single relative bound {@code t} implies for every metric (|Δsum|/abs_sum and the norm
     *  deviation are both bounded by the relative error itself). */
    public static Tolerance uniform(double t, double sumOnly) {
        return new Tolerance(t, t, t, ROW_SLACK * t, sumOnly);
    }
}
