package dev.layerwise.compare;

/**
 * One metric held against its limit. {@code noisy} marks the sketch estimate, which may exceed its limit by the
 * sketch's noise band before the step fails.
 */
public record Check(String metric, double value, double limit, boolean noisy) {

    /** value / limit (NaN and non-finite values count as infinitely far). */
    public double excess() {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.POSITIVE_INFINITY;
        }
        return limit == 0 ? (value == 0 ? 0 : Double.POSITIVE_INFINITY) : value / limit;
    }

    /** True for evidence that fails a step without a limit ({@link DecisiveEvidence}): non-finite, all zeros, ... */
    public boolean isEvidence() {
        return DecisiveEvidence.CHECKS.contains(metric);
    }

    public String describe() {
        return metric + " " + Numbers.sci(value) + " > tolerance " + Numbers.sci(limit);
    }
}
