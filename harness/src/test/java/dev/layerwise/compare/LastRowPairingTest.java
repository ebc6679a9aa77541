package dev.layerwise.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.compare.diagnosis.DiagnosisCode;
import dev.layerwise.importer.ImporterFixtures;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.LastRowSteps;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A step recorded for the last token only ({@code X.last_row}, docs/trace-format.md "Partial steps") pairs with the
 * other trace's {@code X.last_row}, or with the last row of its whole step {@code X}.
 */
class LastRowPairingTest {
    static final int LAST = EngineTraces.T - 1;
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();
    static Trace full;

    @BeforeAll
    static void run() {
        full = engine.run(DType.FLOAT32);
    }

    static Comparison compare(Trace ref, Trace cand) {
        return TraceComparator.create().compare(ref, cand);
    }

    /** The last row of a full step as a foreign dump would record it: its sum, optionally its sum of squares. */
    static Step lastRow(Step full, double sum, Double sumSq, Double absSum) {
        long[] shape = full.shape().clone();
        shape[0] = 1;
        Stats stats = new Stats(null, sum, absSum, sumSq, null, null, null, null, null, null);
        return new Step(LastRowSteps.of(full.name()), shape, full.dtype(), stats, null, null, null, null);
    }

    static Step lastRow(Step full) {
        return lastRow(full, full.rowSums()[LAST], full.rowSumSq()[LAST], null);
    }

    static Step logits(Trace t) {
        return t.step("logits").orElseThrow();
    }

    /** The trace with the step named {@code name} replaced by {@code by}, in place. */
    static Trace replace(Trace t, String name, Step by) {
        List<Step> steps = new ArrayList<>(t.steps());
        steps.replaceAll(s -> s.name().equals(name) ? by : s);
        return t.withSteps(steps);
    }

    static List<String> names(Comparison c) {
        return c.steps().stream().map(StepResult::name).toList();
    }

    @Test
    void referenceLastRowPairsWithTheCandidatesWholeStep() {
        Trace ref = replace(full, "logits", lastRow(logits(full)));
        Comparison c = compare(ref, full);
        assertEquals(0, c.exitCode());
        assertFalse(names(c).contains("logits.last_row"), names(c)::toString);
        StepResult r = c.steps().getLast();
        assertEquals("logits", r.name());
        assertEquals("logits.last_row", r.reference().name());
        assertEquals("logits", r.candidate().name());
        assertEquals(Verdict.LOW_CONFIDENCE, r.verdict(), r.reason());
        assertEquals(LAST, r.metrics().lastRow());
        assertEquals(0.0, r.metrics().sumDev());
        assertEquals(1.0, r.metrics().normRatio());
        assertTrue(c.notes().contains("one trace records only the last row of logits: that row compared (low confidence)"),
                c.notes()::toString);
    }

    @Test
    void candidateLastRowPairsWithTheReferencesWholeStep() {
        Trace cand16 = engine.run(DType.FLOAT16);
        Trace cand = replace(cand16, "logits", lastRow(logits(cand16)));
        Comparison c = compare(full, cand);
        assertEquals(0, c.exitCode());
        StepResult r = c.step("logits").orElseThrow();
        assertEquals("logits.last_row", r.candidate().name());
        assertEquals(Verdict.LOW_CONFIDENCE, r.verdict(), r.reason());
        assertTrue(r.metrics().sumDev() > 0 && r.metrics().sumDev() <= r.tolerance().row(), r.reason());
        // held to the limits of one row: the element count of the last-row step, the float16 roundoff
        Tolerance oneRow = ToleranceProfile.defaults(TraceDims.of(full)).forStep("logits", DType.FLOAT16,
                new long[] {1, EngineTraces.VOCAB});
        assertEquals(oneRow, r.tolerance());
    }

    @Test
    void aLastRowThatDiffersFailsOnItsSumOrItsNorm() {
        Step logits = logits(full);
        double rowSum = logits.rowSums()[LAST];
        double rowSq = logits.rowSumSq()[LAST];
        double shift = 0.05 * Math.sqrt(rowSq * EngineTraces.VOCAB);
        Comparison sum = compare(replace(full, "logits", lastRow(logits, rowSum + shift, rowSq, null)), full);
        assertEquals(1, sum.exitCode());
        assertEquals("logits", sum.firstDivergence());
        assertEquals("last_row_sum_dev", sum.step("logits").orElseThrow().worst().metric());

        Comparison norm = compare(replace(full, "logits", lastRow(logits, rowSum, rowSq * 1.02, null)), full);
        assertEquals("logits", norm.firstDivergence());
        assertEquals("last_row_norm_dev", norm.step("logits").orElseThrow().worst().metric());
    }

    @Test
    void theLastRowStepsOwnAbsSumScalesTheSumDeviation() {
        Step logits = logits(full);
        Trace ref = replace(full, "logits", lastRow(logits, logits.rowSums()[LAST] + 1e-6, null, 10.0));
        StepResult r = compare(ref, full).step("logits").orElseThrow();
        assertEquals(1e-6 / 10.0, r.metrics().sumDev(), 1e-12);
        assertNull(r.metrics().normRatio(), "no norm: the last-row step has no sum_sq");
        assertEquals(Verdict.LOW_CONFIDENCE, r.verdict());
    }

    @Test
    void withoutRowSumsTheStepIsNotComparable() {
        Step logits = logits(full);
        Step noRows = new Step("logits", logits.shape(), logits.dtype(), logits.stats(), null, null, logits.sketch(),
                logits.sha256());
        Comparison c = compare(replace(full, "logits", lastRow(logits)), replace(full, "logits", noRows));
        assertEquals(0, c.exitCode());
        StepResult r = c.step("logits").orElseThrow();
        assertEquals(Verdict.SKIPPED, r.verdict());
        assertEquals("not comparable: one trace records only the last row, the other no row sums for it", r.reason());
    }

    @Test
    void aNonFiniteWholeStepInTheCandidateStillFails() {
        Step logits = logits(full);
        Step inf = new Step("logits", logits.shape(), logits.dtype(), Stats.sumOnly(Double.POSITIVE_INFINITY), null,
                null, null, null);
        Comparison c = compare(replace(full, "logits", lastRow(logits)), replace(full, "logits", inf));
        assertEquals(1, c.exitCode());
        assertEquals("logits", c.firstDivergence());
        assertEquals("the candidate is non-finite (its sum is not finite)", c.step("logits").orElseThrow().reason());
        Diagnosis d = c.diagnoses().getFirst();
        assertEquals(DiagnosisCode.NON_FINITE, d.code());
        assertEquals("logits", d.step());
        assertTrue(d.message().endsWith("the reference records only its last row, which is finite"), d.message());
    }

    /** The seed report's reference knows only the last row's sum: |Δ| is taken relative to that sum. */
    @Test
    void sumOnlyRowsAreComparedRelativeToTheReferenceRowSum() {
        Trace ref = ImporterFixtures.seedTable("1");
        Trace tensorLogic = ImporterFixtures.seedTable("2");
        double[] rows = new double[38];
        Arrays.fill(rows, -900);
        rows[37] = -34790.0;
        Step finite = new Step("logits", new long[] {38, 32000}, DType.FLOAT16, Stats.sumOnly(-34790.0 - 37 * 900), rows,
                null, null, null);
        StepResult r = compare(ref, replace(tensorLogic, "logits", finite)).step("logits").orElseThrow();
        assertEquals(Verdict.LOW_CONFIDENCE, r.verdict(), r.reason());
        assertEquals(6.0 / 34784.0, r.metrics().sumOnlyDev(), 1e-12);
    }

    @Test
    void twoLastRowStepsCompareAsOneOrdinaryStep() {
        Step logits = logits(full);
        Step sumOnly = lastRow(logits, logits.rowSums()[LAST], null, null);
        Trace t = replace(full, "logits", sumOnly);
        Comparison c = compare(t, t);
        StepResult r = c.steps().getLast();
        assertEquals("logits.last_row", r.name());
        assertNull(r.metrics().lastRow());
        assertEquals(0.0, r.metrics().sumOnlyDev());
        assertEquals(Verdict.LOW_CONFIDENCE, r.verdict());
    }

    @Test
    void aLastRowStepTakesItsWholeStepsPlaceInCanonicalOrder() {
        Step out = full.step("layers.1.out").orElseThrow();
        Comparison c = compare(full, replace(full, "layers.1.out", lastRow(out)));
        assertEquals(names(compare(full, full)), names(c));
        assertEquals("layers.1.out.last_row", c.step("layers.1.out").orElseThrow().candidate().name());

        List<Step> both = new ArrayList<>(full.steps());
        both.add(1, lastRow(logits(full))); // recorded early in its own trace: still placed at logits
        Comparison extra = compare(full.withSteps(both), full);
        List<String> n = names(extra);
        assertEquals(List.of("final_norm", "logits", "logits.last_row"), n.subList(n.size() - 3, n.size()));
        assertTrue(Boolean.TRUE.equals(extra.step("logits").orElseThrow().metrics().bitIdentical()),
                "a trace with both forms pairs its whole step with the whole step");
        assertEquals("reference only", extra.step("logits.last_row").orElseThrow().reason());
    }

    @Test
    void aLastRowOfAnotherWidthIsNotComparable() {
        Step logits = logits(full);
        Step wide = new Step("logits.last_row", new long[] {1, EngineTraces.VOCAB + 1}, DType.FLOAT32, Stats.sumOnly(1.0), null,
                null, null, null);
        Comparison c = compare(replace(full, "logits", wide), full);
        assertFalse(c.comparable());
        assertEquals("step logits has shape [1, " + (EngineTraces.VOCAB + 1) + "] (as logits.last_row) in the reference and "
                + Arrays.toString(logits.shape()) + " in the candidate", c.notComparable());
    }

    @Test
    void calibrationLeavesLastRowPairsToTheDefaults() {
        CalibratedProfile p = Calibrator.calibrate(replace(full, "logits", lastRow(logits(full))), full,
                Calibrator.DEFAULT_MARGIN);
        assertFalse(p.steps().containsKey("logits"), p.steps().keySet()::toString);
        assertFalse(p.steps().containsKey("logits.last_row"));
        assertTrue(p.steps().containsKey("final_norm"));
    }
}
