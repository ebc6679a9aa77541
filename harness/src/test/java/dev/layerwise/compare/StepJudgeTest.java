package dev.layerwise.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The verdict rules of docs/tolerances.md, one metric at a time. */
class StepJudgeTest {
    static final Tolerance TOL = Tolerance.uniform(1e-3, 1e-2);

    static StepMetrics metrics(Boolean identical, Double relL2, Double sumDev, Double sumOnlyDev, Double normRatio,
            long refNonFinite, long candNonFinite) {
        return new StepMetrics(identical, relL2, null, sumDev, sumOnlyDev, normRatio, refNonFinite, candNonFinite, null, null,
                null, null, relL2 == null ? 0 : 16, true, null);
    }

    static Verdict judge(StepMetrics m) {
        return StepJudge.judge(m, TOL).verdict();
    }

    static StepMetrics withBound(double relL2, double bound) {
        return new StepMetrics(false, relL2, bound, 0.0, null, 1.0, 0L, 0L, null, null, null, null, 16, true, null);
    }

    @Test
    void aMarginalSketchIsOverruledByTheRowsExactBound() {
        double marginal = 1.3e-3;
        assertEquals(Verdict.MARGINAL, judge(withBound(marginal, 0.9e-3)));
        StepJudge.Judgement j = StepJudge.judge(withBound(marginal, 1.1e-3), TOL);
        assertEquals(Verdict.FAIL, j.verdict());
        assertEquals("rel_l2_bound", j.worst().metric());
        // an exact bound above tolerance fails even when the sketch reads low
        assertEquals(Verdict.FAIL, judge(withBound(0.5e-3, 1.1e-3)));
    }

    @Test
    void sketchEstimateHasANoiseBandExactMetricsDoNot() {
        double band = SketchNoise.acceptFactor(16);
        assertEquals(1 + 3 / Math.sqrt(32), band, 1e-15);
        assertEquals(Verdict.PASS, judge(metrics(false, 1e-3, 0.0, null, 1.0, 0, 0)));
        assertEquals(Verdict.MARGINAL, judge(metrics(false, 1.2e-3, 0.0, null, 1.0, 0, 0)));
        assertEquals(Verdict.MARGINAL, judge(metrics(false, 1e-3 * band, 0.0, null, 1.0, 0, 0)));
        assertEquals(Verdict.FAIL, judge(metrics(false, 1e-3 * band * 1.01, 0.0, null, 1.0, 0, 0)));
        assertEquals(Verdict.FAIL, judge(metrics(false, 0.0, 1.2e-3, null, 1.0, 0, 0)));
        assertEquals(Verdict.FAIL, judge(metrics(false, 0.0, 0.0, null, 1.0012, 0, 0)));
    }

    @Test
    void bitIdentityNonFiniteAndSumOnly() {
        assertEquals(Verdict.PASS, judge(metrics(true, 5.0, 5.0, null, 2.0, 0, 0)));
        assertEquals(Verdict.FAIL, judge(metrics(false, null, null, null, null, 0, 3)));
        assertEquals(Verdict.FAIL, judge(metrics(false, null, null, null, null, 2, 0)));
        assertEquals(Verdict.LOW_CONFIDENCE, judge(metrics(false, null, null, null, null, 2, 2)));
        assertEquals(Verdict.LOW_CONFIDENCE, judge(metrics(null, null, null, 9e-3, null, 0, 0)));
        assertEquals(Verdict.FAIL, judge(metrics(null, null, null, 1.1e-2, null, 0, 0)));
        assertEquals(Verdict.SKIPPED, judge(metrics(null, null, null, null, null, 0, 0)));
    }
}
