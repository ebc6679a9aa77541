package dev.layerwise.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.compare.diagnosis.DiagnosisCode;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A step is never "within tolerance" while the same comparison diagnoses it as all-zero or non-finite. */
class DecisiveEvidenceTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();
    static final Tolerance TOL = Tolerance.uniform(1e-3, 10);
    static final Set<DiagnosisCode> DECISIVE = Set.of(DiagnosisCode.ZERO_OUTPUT, DiagnosisCode.NON_FINITE,
            DiagnosisCode.F16_OVERFLOW_RISK);

    static Step step(String name, Stats stats) {
        return new Step(name, new long[] {6, 64}, DType.FLOAT16, stats, null, null, null, null);
    }

    /** The case seen: a sum-only candidate exactly 0 against a reference with abs_sum 1237.8 and a sum near 0. */
    @Test
    void anAllZeroSumOnlyCandidateFailsThoughItsSumIsWithinTolerance() {
        Step ref = step("layers.0.attn_out", new Stats(384L, -0.7, 1237.8, 5000.0, -9.0, 8.0, 0L, 0L, 0L, 0L));
        Step cand = step("layers.0.attn_out", Stats.sumOnly(0.0));
        StepMetrics m = MetricCalculator.compare(ref, cand, false);
        assertTrue(m.sumDev() < TOL.sum(), "the sum alone is within tolerance: " + m.sumDev());
        assertEquals(Verdict.LOW_CONFIDENCE, StepJudge.judge(m, TOL).verdict(), "what the metrics alone say");
        StepJudge.Judgement j = StepJudge.judge(new StepPair(ref.name(), ref, cand), m, TOL);
        assertEquals(Verdict.FAIL, j.verdict());
        assertEquals("the candidate is all zeros, the reference is not (abs_sum 1237.8)", j.reason());
    }

    @Test
    void aSignFlipBeyondRoundingFailsOneWithinRoundingDoesNot() {
        Step ref = step("embed", new Stats(384L, 40.0, 1000.0, 3000.0, -9.0, 8.0, 0L, 0L, 0L, 0L));
        StepPair flipped = new StepPair("embed", ref, step("embed", Stats.sumOnly(-40.0)));
        assertTrue(DecisiveEvidence.signFlipped(flipped, TOL));
        assertEquals("the sum's sign is flipped (candidate -40, reference 40), each beyond rounding (1.00e+00)",
                StepJudge.judge(flipped, MetricCalculator.compare(ref, flipped.candidate(), false), TOL).reason());
        // |sum| 0.5 is within the rounding of a sum over abs_sum 1000 (tol.sum 1e-3 * 1000 = 1): no evidence
        Step nearZero = step("embed", new Stats(384L, 0.5, 1000.0, 3000.0, -9.0, 8.0, 0L, 0L, 0L, 0L));
        assertFalse(DecisiveEvidence.signFlipped(new StepPair("embed", nearZero, step("embed", Stats.sumOnly(-0.4))),
                TOL));
        // without any abs_sum a sum has no rounding scale: its sign is no evidence
        assertFalse(DecisiveEvidence.signFlipped(new StepPair("embed", step("embed", Stats.sumOnly(40)),
                step("embed", Stats.sumOnly(-40))), TOL));
    }

    /**
     * The engine with a step zeroed, recorded as sums only (a foreign dump), against the full reference, for the
     * steps whose reference sum is closest to 0 relative to their abs_sum (where a sum cannot see the zeros).
     */
    @Test
    void zeroedStepsInASumOnlyCandidateFailWhereTheyAreDiagnosed() {
        Trace ref = engine.run(DType.FLOAT16);
        List<Step> nearZeroSum = ref.steps().stream().filter(s -> CanonicalSteps.layerOf(s.name()) == 0)
                .sorted(Comparator.comparingDouble(s -> Math.abs(s.stats().sum()) / s.stats().absSum())).limit(3)
                .toList();
        for (Step s : nearZeroSum) {
            Comparison c = TraceComparator.create().compare(ref,
                    TraceComparatorTest.sumsOnly(engine.run(DType.FLOAT16, s.name() + "=zero")));
            StepResult r = c.step(s.name()).orElseThrow();
            assertTrue(c.diagnosesFor(s.name()).stream().anyMatch(d -> d.code() == DiagnosisCode.ZERO_OUTPUT),
                    () -> s.name() + ": " + c.diagnoses());
            assertEquals(Verdict.FAIL, r.verdict(), () -> s.name() + ": " + r.reason());
            assertEquals(s.name(), c.firstDivergence());
        }
    }

    /** Every planted fault, full and sum-only: no decisive diagnosis on a step that is not failing. */
    @Test
    void noDecisiveDiagnosisOnAPassingStep() {
        Trace ref = engine.run(DType.FLOAT16);
        List<String> faults = List.of("layers.0.silu_gate=zero", "layers.1.attn_out=zero", "layers.0.q=nan",
                "layers.1.ffn_out=nan", "embed=zero", "layers.0.attn_probs=no-scale", "layers.1.gate=scale:-1",
                "layers.0.v=skip", "logits=zero");
        List<String> seen = new ArrayList<>();
        for (String f : faults) {
            Trace cand = engine.run(DType.FLOAT16, f);
            for (Trace t : List.of(cand, TraceComparatorTest.sumsOnly(cand))) {
                Comparison c = TraceComparator.create().compare(ref, t);
                for (Diagnosis d : c.diagnoses()) {
                    if (DECISIVE.contains(d.code())) {
                        seen.add(d.code().name());
                        assertTrue(c.step(d.step()).orElseThrow().verdict().isFailing(), () -> f + ": " + d + " on "
                                + c.step(d.step()).orElseThrow().verdict());
                    }
                }
            }
        }
        assertTrue(seen.containsAll(List.of("ZERO_OUTPUT", "NON_FINITE")), seen::toString);
    }
}
