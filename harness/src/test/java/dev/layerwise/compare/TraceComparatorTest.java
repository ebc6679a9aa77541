package dev.layerwise.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.ToyLlama.Fault;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Input;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TraceComparatorTest {
    static final ToyLlama TOY = ToyLlama.create();

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
        Trace t = TOY.run(DType.FLOAT32);
        Comparison c = compare(t, t);
        assertEquals(0, c.exitCode());
        assertEquals("pass", c.verdict());
        assertEquals(3 + 17 * ToyLlama.L, c.steps().size());
        assertTrue(c.steps().stream().allMatch(s -> Boolean.TRUE.equals(s.metrics().bitIdentical())));
        assertTrue(c.diagnoses().isEmpty());
    }

    /** Clean second opinions: other dtype, other accumulation order. None may fail, in either direction. */
    @ParameterizedTest(name = "{0}{1} vs {2}{3}")
    @CsvSource({
        "float64,false,float32,false", "float32,false,float64,false", "float32,false,float32,true",
        "float32,false,float16,false", "float64,false,float16,false", "float16,false,float16,true",
        "float64,false,bfloat16,false", "float32,false,bfloat16,true", "float16,true,bfloat16,false"})
    void cleanSecondOpinionNeverFails(String refDtype, boolean refReverse, String candDtype, boolean candReverse) {
        Trace ref = TOY.run(DType.parse(refDtype), Fault.NONE, refReverse);
        Trace cand = TOY.run(DType.parse(candDtype), Fault.NONE, candReverse);
        Comparison c = compare(ref, cand);
        assertEquals(0, c.exitCode(), () -> failures(c));
        assertNull(c.firstDivergence());
        assertTrue(c.diagnoses().isEmpty(), () -> c.diagnoses().toString());
        // not vacuous: the runs really differ
        assertTrue(c.steps().stream().anyMatch(s -> s.metrics().relL2() != null && s.metrics().relL2() > 0));
    }

    /** A foreign sum-only candidate against a full reference: the reference's abs_sum scales the sums. */
    @Test
    void sumOnlyCandidateAgainstAFullReference() {
        Comparison clean = compare(TOY.run(DType.FLOAT32), sumsOnly(TOY.run(DType.FLOAT16)));
        assertEquals(0, clean.exitCode(), () -> failures(clean));
        assertTrue(clean.steps().stream().allMatch(s -> s.verdict() == Verdict.LOW_CONFIDENCE), () -> failures(clean));
        assertTrue(clean.steps().stream().allMatch(s -> s.metrics().sumDev() != null && s.metrics().sumOnlyDev() == null));

        Comparison silu = compare(TOY.run(DType.FLOAT32), sumsOnly(TOY.run(DType.FLOAT16, Fault.SILU_ZERO)));
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
        Comparison c = compare(TOY.run(DType.FLOAT64), TOY.run(DType.FLOAT16));
        StepResult q = c.step("layers.0.q").orElseThrow();
        DefaultTolerances d = new DefaultTolerances(ModelDims.of(c.reference()));
        assertEquals(d.forStep("layers.0.q", DType.FLOAT16, q.reference().shape()), q.tolerance());
        assertTrue(c.notes().stream().anyMatch(n -> n.contains("dtypes differ")));
    }

    /** sdpa references store attn_probs recomputed in float32 inside a float16 trace: still float16 errors. */
    @Test
    void aStepStoredFinerThanItsModelGetsTheModelsTolerance() {
        Trace f16 = TOY.run(DType.FLOAT16);
        Trace f32 = TOY.run(DType.FLOAT32);
        Step probs32 = f32.step("layers.0.attn_probs").orElseThrow();
        List<Step> steps = new ArrayList<>(f16.steps());
        steps.set(steps.indexOf(f16.step("layers.0.attn_probs").orElseThrow()), probs32);
        Comparison c = compare(f32, f16.withSteps(steps));
        StepResult r = c.step("layers.0.attn_probs").orElseThrow();
        assertEquals(new DefaultTolerances(ModelDims.of(f32)).forStep(r.name(), DType.FLOAT16, probs32.shape()),
                r.tolerance());
    }

    @Test
    void extraBosTokenIsNotComparableAndSaysWhy() {
        Trace ref = TOY.run(DType.FLOAT32);
        int[] withBos = new int[ToyLlama.TOKENS.length + 1];
        withBos[0] = 1;
        System.arraycopy(ToyLlama.TOKENS, 0, withBos, 1, ToyLlama.TOKENS.length);
        Trace cand = withTokens(ref, withBos);
        Comparison c = compare(ref, cand);
        assertEquals(3, c.exitCode());
        assertEquals("not_comparable", c.verdict());
        assertEquals("candidate has 7 tokens, reference 6: extra token 1 (BOS) at position 0", c.notComparable());
    }

    @Test
    void differentTokenIdsNameTheFirstPosition() {
        Trace ref = TOY.run(DType.FLOAT32);
        int[] ids = ToyLlama.TOKENS.clone();
        ids[3] = 11;
        Comparison c = compare(ref, withTokens(ref, ids));
        assertEquals("token ids differ at position 3: reference 3, candidate 11 (1 of 6 positions differ)",
                c.notComparable());
    }

    @Test
    void differentModelConfigNamesTheFields() {
        Trace ref = TOY.run(DType.FLOAT32);
        Trace cand = TOY.run(DType.FLOAT32);
        cand.model().config().put("hidden_size", 128);
        cand.model().config().put("torch_dtype", "float16"); // dtype fields never make traces incomparable
        Comparison c = compare(ref, cand);
        assertEquals(3, c.exitCode());
        assertEquals("different models (reference vs candidate): hidden_size 16 vs 128", c.notComparable());
    }

    @Test
    void differentShapeOfACommonStepIsNotComparable() {
        Trace ref = TOY.run(DType.FLOAT32);
        List<Step> steps = new ArrayList<>(ref.steps());
        Step q = ref.step("layers.0.q").orElseThrow();
        steps.set(steps.indexOf(q), new Step(q.name(), new long[] {6, 8}, q.dtype(), dev.layerwise.trace.Stats.sumOnly(1),
                null, null, null, null));
        Comparison c = compare(ref, ref.withSteps(steps));
        assertEquals(3, c.exitCode());
        assertEquals("step layers.0.q has shape [6, 16] in the reference and [6, 8] in the candidate",
                c.notComparable());
    }

    @Test
    void stepsInOneTraceOnlyAreListedNotDropped() {
        Trace ref = TOY.run(DType.FLOAT32);
        Trace cand = TOY.runOmitting(DType.FLOAT32, Fault.NONE, Set.of("layers.0.attn_probs", "layers.1.q_rope"));
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
        Comparison c = compare(TOY.run(DType.FLOAT32), TOY.run(DType.FLOAT32, Fault.GATE_UP_SWAPPED));
        assertEquals(1, c.exitCode());
        assertEquals("layers.0.gate", c.firstDivergence());
        assertEquals(Verdict.FAIL, c.step("layers.0.gate").orElseThrow().verdict());
        assertEquals(Verdict.PROPAGATED, c.step("layers.0.up").orElseThrow().verdict());
        assertEquals(Verdict.PROPAGATED, c.step("logits").orElseThrow().verdict());
        assertEquals(1, c.count(Verdict.FAIL));
        assertFalse(c.step("layers.0.ffn_norm").orElseThrow().verdict().isFailing());
    }

    static Trace withTokens(Trace t, int[] ids) {
        return new Trace(t.producer(), t.model(), t.dtype(), new Input(ids, null), t.sketch(), t.steps(), t.topK(), null);
    }
}
