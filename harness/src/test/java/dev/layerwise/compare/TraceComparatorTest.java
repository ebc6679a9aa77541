package dev.layerwise.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.ModelInfo;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The comparator on traces of the engine (tiny synthetic model, T = 6): verdicts, tolerances, incomparable pairs. */
class TraceComparatorTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();

    static Comparison compare(Trace ref, Trace cand) {
        return TraceComparator.create().compare(ref, cand);
    }

    static String failures(Comparison c) {
        StringBuilder sb = new StringBuilder();
        for (StepResult r : c.steps()) {
            if (r.verdict() != Verdict.PASS) {
                sb.append(r.name()).append(' ').append(r.verdict()).append(' ').append(r.reason()).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void traceAgainstItselfIsBitIdenticalEverywhere() {
        Trace t = engine.run(DType.FLOAT32);
        Comparison c = compare(t, t);
        assertEquals(0, c.exitCode());
        assertEquals("pass", c.verdict());
        assertEquals(3 + 17 * EngineTraces.LAYERS, c.steps().size());
        assertTrue(c.steps().stream().allMatch(s -> Boolean.TRUE.equals(s.metrics().bitIdentical())));
        assertTrue(c.diagnoses().isEmpty());
    }

    /**
     * Clean second opinions: other dtype, other rounding of the projections ({@link EngineTraces#OTHER_ROUNDING}).
     * None may fail, in either direction.
     */
    @ParameterizedTest(name = "{0}{1} vs {2}{3}")
    @CsvSource({
        "float64,false,float32,false", "float32,false,float64,false", "float32,false,float32,true",
        "float32,false,float16,false", "float64,false,float16,false", "float16,false,float16,true",
        "float64,false,bfloat16,false", "float32,false,bfloat16,true", "float16,true,bfloat16,false",
        "bfloat16,false,bfloat16,true"})
    void cleanSecondOpinionNeverFails(String refDtype, boolean refOther, String candDtype, boolean candOther) {
        Trace ref = run(DType.parse(refDtype), refOther);
        Trace cand = run(DType.parse(candDtype), candOther);
        Comparison c = compare(ref, cand);
        assertEquals(0, c.exitCode(), () -> failures(c));
        assertNull(c.firstDivergence());
        assertTrue(c.diagnoses().isEmpty(), () -> c.diagnoses().toString());
        // not vacuous: the runs really differ
        assertTrue(c.steps().stream().anyMatch(s -> s.metrics().relL2() != null && s.metrics().relL2() > 0));
    }

    private static Trace run(DType dtype, boolean otherRounding) {
        return otherRounding ? engine.otherRounding(dtype) : engine.run(dtype);
    }

    /** A foreign sum-only candidate against a full reference: the reference's abs_sum scales the sums. */
    @Test
    void sumOnlyCandidateAgainstAFullReference() {
        Comparison clean = compare(engine.run(DType.FLOAT32), sumsOnly(engine.run(DType.FLOAT16)));
        assertEquals(0, clean.exitCode(), () -> failures(clean));
        assertTrue(clean.steps().stream().allMatch(s -> s.verdict() == Verdict.LOW_CONFIDENCE), () -> failures(clean));
        assertTrue(clean.steps().stream().allMatch(s -> s.metrics().sumDev() != null && s.metrics().sumOnlyDev() == null));

        Comparison silu = compare(engine.run(DType.FLOAT32), sumsOnly(engine.run(DType.FLOAT16, "layers.0.silu_gate=zero")));
        assertEquals("layers.0.silu_gate", silu.firstDivergence());
        assertEquals(List.of("ZERO_OUTPUT", "ZERO_FROM_NONZERO_INPUT", "FFN_INEFFECTIVE"),
                silu.diagnoses().stream().map(d -> d.code().name()).toList());
    }

    static Trace sumsOnly(Trace t) {
        return new Trace(t.producer(), t.model(), t.dtype(), t.input(), null, t.steps().stream()
                .map(s -> new Step(s.name(), s.shape(), s.dtype(), dev.layerwise.trace.Stats.sumOnly(s.stats().sum()),
                        null, null, null, null)).toList(), t.topK(), null);
    }

    @Test
    void tolerancesComeFromTheCoarserDtype() {
        Comparison c = compare(engine.run(DType.FLOAT64), engine.run(DType.FLOAT16));
        StepResult q = c.step("layers.0.q").orElseThrow();
        DefaultTolerances d = new DefaultTolerances(TraceDims.of(c.reference()));
        assertEquals(d.forStep("layers.0.q", DType.FLOAT16, q.reference().shape()), q.tolerance());
        assertTrue(c.notes().stream().anyMatch(n -> n.contains("dtypes differ")));
    }

    /** sdpa references store attn_probs recomputed in float32 inside a float16 trace: still float16 errors. */
    @Test
    void aStepStoredFinerThanItsModelGetsTheModelsTolerance() {
        Trace f16 = engine.run(DType.FLOAT16);
        Trace f32 = engine.run(DType.FLOAT32);
        Step probs32 = f32.step("layers.0.attn_probs").orElseThrow();
        List<Step> steps = new ArrayList<>(f16.steps());
        steps.set(steps.indexOf(f16.step("layers.0.attn_probs").orElseThrow()), probs32);
        Comparison c = compare(f32, f16.withSteps(steps));
        StepResult r = c.step("layers.0.attn_probs").orElseThrow();
        assertEquals(new DefaultTolerances(TraceDims.of(f32)).forStep(r.name(), DType.FLOAT16, probs32.shape()),
                r.tolerance());
    }

    @Test
    void extraBosTokenIsNotComparableAndSaysWhy() {
        Trace ref = engine.run(DType.FLOAT32);
        Trace cand = EngineTraces.withBos(ref);
        Comparison c = compare(ref, cand);
        assertEquals(3, c.exitCode());
        assertEquals("not_comparable", c.verdict());
        assertEquals("candidate has 7 tokens, reference 6: extra token 1 (BOS) at position 0", c.notComparable());
    }

    @Test
    void differentTokenIdsNameTheFirstPosition() {
        Trace ref = engine.run(DType.FLOAT32);
        int[] ids = EngineTraces.TOKENS.clone();
        ids[3] = 11;
        Comparison c = compare(ref, withTokens(ref, ids));
        assertEquals("token ids differ at position 3: reference 3, candidate 11 (1 of 6 positions differ)",
                c.notComparable());
    }

    @Test
    void differentModelConfigNamesTheFields() {
        Trace ref = engine.run(DType.FLOAT32);
        Trace run = engine.run(DType.FLOAT32);
        ObjectNode config = run.model().config().deepCopy(); // the engine's config node is shared by its traces
        config.put("hidden_size", 128);
        config.put("torch_dtype", "float16"); // dtype fields never make traces incomparable
        Trace cand = new Trace(run.producer(), new ModelInfo(run.model().architecture(), config, run.model().source(),
                run.model().weightsSha256()), run.dtype(), run.input(), run.sketch(), run.steps(), run.topK(), null);
        Comparison c = compare(ref, cand);
        assertEquals(3, c.exitCode());
        assertEquals("different models (reference vs candidate): hidden_size " + EngineTraces.DIMS.dims().hidden() + " vs 128", c.notComparable());
    }

    @Test
    void differentShapeOfACommonStepIsNotComparable() {
        Trace ref = engine.run(DType.FLOAT32);
        List<Step> steps = new ArrayList<>(ref.steps());
        Step q = ref.step("layers.0.q").orElseThrow();
        steps.set(steps.indexOf(q), new Step(q.name(), new long[] {6, 8}, q.dtype(), dev.layerwise.trace.Stats.sumOnly(1),
                null, null, null, null));
        Comparison c = compare(ref, ref.withSteps(steps));
        assertEquals(3, c.exitCode());
        assertEquals("step layers.0.q has shape [6, " + EngineTraces.HEADS * EngineTraces.DIMS.dims().headDim()
                + "] in the reference and [6, 8] in the candidate",
                c.notComparable());
    }

    @Test
    void stepsInOneTraceOnlyAreListedNotDropped() {
        Trace ref = engine.run(DType.FLOAT32);
        Trace cand = EngineTraces.omitting(ref, Set.of("layers.0.attn_probs", "layers.1.q_rope"));
        Comparison c = compare(ref, cand);
        assertEquals(0, c.exitCode());
        StepResult probs = c.step("layers.0.attn_probs").orElseThrow();
        assertEquals(Verdict.SKIPPED, probs.verdict());
        assertEquals("reference only", probs.reason());
        assertEquals(2, c.count(Verdict.SKIPPED));
        // order stays canonical
        List<String> names = c.steps().stream().map(StepResult::name).toList();
        assertTrue(names.indexOf("layers.0.attn_probs") < names.indexOf("layers.0.attn_ctx"));
    }

    @Test
    void laterFailuresArePropagated() {
        Comparison c = compare(engine.run(DType.FLOAT32), engine.run(DType.FLOAT32, "layers.0.gate=swap:layers.0.up"));
        assertEquals(1, c.exitCode());
        assertEquals("layers.0.gate", c.firstDivergence());
        assertEquals(Verdict.FAIL, c.step("layers.0.gate").orElseThrow().verdict());
        assertEquals(Verdict.PROPAGATED, c.step("layers.0.up").orElseThrow().verdict());
        assertEquals(Verdict.PROPAGATED, c.step("logits").orElseThrow().verdict());
        assertEquals(1, c.count(Verdict.FAIL));
        assertFalse(c.step("layers.0.ffn_norm").orElseThrow().verdict().isFailing());
    }

    static Trace withTokens(Trace t, int[] ids) {
        return EngineTraces.withTokens(t, ids);
    }
}
