package dev.layerwise.compare;

import java.util.ArrayList;
import java.util.List;

/** Holds one step's metrics against its tolerance and gives the verdict before localization. */
public final class StepJudge {
    /** The metrics that compare sums alone. */
    static final java.util.Set<String> SUM_METRICS = java.util.Set.of("sum_dev", "sum_only_dev");

    private StepJudge() {
    }

    /** A verdict and the check that decided it (null when none failed). */
    public record Judgement(Verdict verdict, Check worst, String reason) {
    }

    /**
     * A pair both traces record: bit-identical passes; {@link DecisiveEvidence} (all zeros, a sign flip beyond
     * rounding) fails whatever the metrics say; otherwise the metrics decide ({@link #judge(StepMetrics, Tolerance)}).
     */
    public static Judgement judge(StepPair pair, StepMetrics m, Tolerance tol) {
        if (Boolean.TRUE.equals(m.bitIdentical())) {
            return new Judgement(Verdict.PASS, null, "bit-identical");
        }
        return DecisiveEvidence.of(pair, tol).orElseGet(() -> judge(m, tol));
    }

    public static Judgement judge(StepMetrics m, Tolerance tol) {
        if (Boolean.TRUE.equals(m.bitIdentical())) {
            return new Judgement(Verdict.PASS, null, "bit-identical");
        }
        Long rn = m.refNonFinite();
        Long cn = m.candNonFinite();
        if (cn != null && cn > 0 && (rn == null || !rn.equals(cn))) {
            String why = m.nonFiniteCounted()
                    ? "non-finite values: candidate " + cn + (rn == null ? "" : ", reference " + rn)
                    : "the candidate is non-finite (its sum is not finite)";
            return new Judgement(Verdict.FAIL, new Check(DecisiveEvidence.NON_FINITE, cn, rn == null ? 0 : rn, false), why);
        }
        if (rn != null && rn > 0 && (cn == null || !rn.equals(cn))) {
            return new Judgement(Verdict.FAIL, new Check(DecisiveEvidence.NON_FINITE, cn == null ? 0 : cn, rn, false),
                    "the reference has " + rn + " non-finite values, the candidate " + (cn == null ? "?" : cn));
        }
        if (m.lastRow() != null) {
            return judgeLastRow(m, tol);
        }
        List<Check> checks = checks(m, tol);
        double noise = m.sketchK() > 0 ? SketchNoise.acceptFactor(m.sketchK()) : 1;
        // A sum alone (either form) cannot see errors that cancel, e.g. a permutation: never a confident pass.
        boolean sumOnly = !checks.isEmpty() && checks.stream().allMatch(c -> SUM_METRICS.contains(c.metric()));
        if (checks.isEmpty()) {
            if (rn != null && rn > 0) {
                return new Judgement(Verdict.LOW_CONFIDENCE, null,
                        "both have the same " + rn + " non-finite values; finite values not compared");
            }
            return new Judgement(Verdict.SKIPPED, null, "nothing in common to compare");
        }
        Check worst = null;
        boolean marginal = false;
        for (Check c : checks) {
            double allowed = c.noisy() ? noise : 1;
            if (c.excess() > allowed) {
                if (worst == null || c.excess() / allowed > worst.excess() / (worst.noisy() ? noise : 1)) {
                    worst = c;
                }
            } else if (c.excess() > 1) {
                marginal = true;
            }
        }
        if (worst != null) {
            return new Judgement(Verdict.FAIL, worst, worst.describe());
        }
        if (sumOnly) {
            return new Judgement(Verdict.LOW_CONFIDENCE, null, "within tolerance (only sums compared: low confidence)");
        }
        if (marginal) {
            return new Judgement(Verdict.MARGINAL, null,
                    "rel_l2 estimate above tolerance but within the sketch noise band (x" + Numbers.format(noise) + ")");
        }
        return new Judgement(Verdict.PASS, null, "within tolerance");
    }

    /** The checks of a whole-step pair (not a last-row pair), each metric against its limit. */
    public static List<Check> checks(StepMetrics m, Tolerance tol) {
        List<Check> checks = new ArrayList<>();
        if (m.relL2() != null) {
            checks.add(new Check("rel_l2", m.relL2(), tol.relL2(), true));
        }
        if (m.relL2Bound() != null) {
            // exact, so held to the tolerance itself, without the sketch's noise band
            checks.add(new Check("rel_l2_bound", m.relL2Bound(), tol.relL2(), false));
        }
        if (m.sumDev() != null) {
            checks.add(new Check("sum_dev", m.sumDev(), tol.sum(), false));
        }
        if (m.normDev() != null) {
            checks.add(new Check("norm_dev", m.normDev(), tol.norm(), false));
        }
        if (m.maxRowNormDev() != null) {
            checks.add(new Check("row_norm_dev", m.maxRowNormDev(), tol.row(), false));
        }
        if (m.maxRowSumDev() != null) {
            checks.add(new Check("row_sum_dev", m.maxRowSumDev(), tol.row(), false));
        }
        if (checks.isEmpty() && m.sumOnlyDev() != null) {
            checks.add(new Check("sum_only_dev", m.sumOnlyDev(), tol.sumOnly(), false));
        }
        return checks;
    }

    /** A last-row pair: one row compared, so at best low confidence; row limits, not whole-step ones. */
    private static Judgement judgeLastRow(StepMetrics m, Tolerance tol) {
        List<Check> checks = new ArrayList<>();
        if (m.sumDev() != null) {
            checks.add(new Check("last_row_sum_dev", m.sumDev(), tol.row(), false));
        }
        if (m.sumOnlyDev() != null) {
            checks.add(new Check("last_row_sum_only_dev", m.sumOnlyDev(), tol.sumOnly(), false));
        }
        if (m.normDev() != null) {
            checks.add(new Check("last_row_norm_dev", m.normDev(), tol.row(), false));
        }
        if (checks.isEmpty()) {
            if (m.refNonFinite() != null && m.refNonFinite() > 0) {
                return new Judgement(Verdict.LOW_CONFIDENCE, null,
                        "both have the same " + m.refNonFinite() + " non-finite values; finite values not compared");
            }
            return new Judgement(Verdict.SKIPPED, null, "not comparable: one trace records only the last row, the "
                    + "other no row sums for it");
        }
        Check worst = null;
        for (Check c : checks) {
            if (c.excess() > 1 && (worst == null || c.excess() > worst.excess())) {
                worst = c;
            }
        }
        if (worst != null) {
            return new Judgement(Verdict.FAIL, worst, worst.describe());
        }
        return new Judgement(Verdict.LOW_CONFIDENCE, null, "within tolerance (last row only: low confidence)");
    }
}
