package dev.layerwise.compare;

import java.util.Optional;
import java.util.Set;

/**
 * Facts about a step pair that rounding cannot produce, so the candidate step is wrong whatever a metric says. A
 * metric held against a tolerance sized for rounding noise can be blind to them: an all-zero candidate against a
 * reference whose sum happens to lie near 0 has a tiny {@code sum_dev}. {@link StepJudge} fails a step on this
 * evidence before it looks at any metric, and the diagnosers that name these faults test the same predicates
 * ({@code ZeroOutputDiagnoser} calls {@link #allZeroWhereReferenceIsNot}; {@code NonFiniteDiagnoser} and
 * {@link StepJudge} both count non-finite values with {@link StepFacts#nonFinite}), so a step is never "within
 * tolerance" while its own diagnosis says it is broken.
 */
public final class DecisiveEvidence {
    static final String NON_FINITE = "non-finite values";
    static final String ALL_ZERO = "all-zero candidate";
    static final String SIGN_FLIPPED = "sign-flipped sum";
    /** The names of the checks that are evidence rather than a metric against a limit. */
    static final Set<String> CHECKS = Set.of(NON_FINITE, ALL_ZERO, SIGN_FLIPPED);

    private DecisiveEvidence() {
    }

    /** A failing judgement on the evidence of a pair both traces record, or empty when there is none. */
    public static Optional<StepJudge.Judgement> of(StepPair pair, Tolerance tol) {
        var r = pair.reference();
        var c = pair.candidate();
        if (allZeroWhereReferenceIsNot(pair)) {
            String size = r.stats().absSum() != null ? "abs_sum " + Numbers.format(r.stats().absSum())
                    : "sum " + Numbers.format(r.stats().sum());
            return Optional.of(new StepJudge.Judgement(Verdict.FAIL, new Check(ALL_ZERO, 0, 0, false),
                    "the candidate is all zeros, the reference is not (" + size + ")"));
        }
        if (signFlipped(pair, tol)) {
            return Optional.of(new StepJudge.Judgement(Verdict.FAIL,
                    new Check(SIGN_FLIPPED, c.stats().sum(), r.stats().sum(), false), "the sum's sign is flipped "
                    + "(candidate " + Numbers.format(c.stats().sum()) + ", reference " + Numbers.format(r.stats().sum())
                    + "), each beyond rounding (" + Numbers.sci(rounding(pair, tol)) + ")"));
        }
        return Optional.empty();
    }

    /** The candidate's step is exactly zero everywhere (as far as its statistics show) and the reference's is not. */
    public static boolean allZeroWhereReferenceIsNot(StepPair pair) {
        return pair.inBoth() && StepFacts.isAllZero(pair.candidate()) && StepFacts.isNonZero(pair.reference());
    }

    /**
     * The sums of two steps of the same name have opposite signs and each lies farther from 0 than rounding can move
     * a sum ({@link #rounding}). Without an abs_sum there is no rounding scale for a sum, so its sign is no evidence;
     * a last-row pair compares a row with a whole step, whose sums are not comparable.
     */
    public static boolean signFlipped(StepPair pair, Tolerance tol) {
        if (!pair.inBoth() || pair.lastRowOnly() || tol == null) {
            return false;
        }
        double r = pair.reference().stats().sum();
        double c = pair.candidate().stats().sum();
        double rounding = rounding(pair, tol);
        return Double.isFinite(r) && Double.isFinite(c) && Math.signum(r) * Math.signum(c) < 0
                && Math.abs(r) > rounding && Math.abs(c) > rounding;
    }

    /** How far rounding may move the sum: {@code tol.sum} times the reference's abs_sum (else the candidate's). */
    static double rounding(StepPair pair, Tolerance tol) {
        Double abs = pair.reference().stats().absSum() != null ? pair.reference().stats().absSum()
                : pair.candidate().stats().absSum();
        return abs == null || !Double.isFinite(abs) ? Double.POSITIVE_INFINITY : tol.sum() * abs;
    }
}
