package dev.layerwise.compare;

import dev.layerwise.trace.Step;

/**
 * One row of a comparison: the two recorded steps (either may be null), what was measured, the tolerance and the
 * verdict.
 *
 * @param worst the check that failed worst (null unless failing)
 * @param reason a short human explanation of the verdict
 */
public record StepResult(String name, Step reference, Step candidate, StepMetrics metrics, Tolerance tolerance,
        Verdict verdict, Check worst, String reason) {

    public static StepResult onlyIn(String name, Step reference, Step candidate) {
        String reason = reference == null ? "candidate only" : "reference only";
        return new StepResult(name, reference, candidate, null, null, Verdict.SKIPPED, null, reason);
    }

    public StepResult withVerdict(Verdict v) {
        return new StepResult(name, reference, candidate, metrics, tolerance, v, worst, reason);
    }

    /** The two steps of this row as a pair (a last-row pair when their names differ). */
    public StepPair pair() {
        return new StepPair(name, reference, candidate);
    }

    public boolean inBoth() {
        return reference != null && candidate != null;
    }
}
