package dev.layerwise.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.diagnosis.Diagnoser;
import dev.layerwise.compare.diagnosis.Diagnosers;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.compare.diagnosis.DiagnosisCode;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each fault class, injected into the engine's forward pass on the synthetic tiny model (docs/fault-injection.md),
 * is caught at the step where it first acts and diagnosed with its code.
 */
class DiagnosesTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();

    static Comparison compare(Trace ref, Trace cand) {
        return TraceComparator.create().compare(ref, cand);
    }

    static Diagnosis only(Comparison c, DiagnosisCode code) {
        List<Diagnosis> ds = c.diagnoses().stream().filter(d -> d.code() == code).toList();
        assertEquals(1, ds.size(), () -> "expected one " + code + " in " + c.diagnoses());
        return ds.get(0);
    }

    static Comparison faulty(DType dtype, String... inject) {
        return compare(engine.run(dtype), engine.run(dtype, inject));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT16"})
    void siluReturningZeros(DType dtype) {
        Comparison c = faulty(dtype, "layers.0.silu_gate=zero");
        assertEquals("layers.0.silu_gate", c.firstDivergence());
        Diagnosis zero = only(c, DiagnosisCode.ZERO_OUTPUT);
        assertEquals("layers.0.silu_gate", zero.step());
        Diagnosis fromInput = only(c, DiagnosisCode.ZERO_FROM_NONZERO_INPUT);
        assertEquals("layers.0.silu_gate", fromInput.step());
        assertTrue(fromInput.message().contains("`layers.0.gate`"), fromInput.message());
        assertEquals("layers.0.out", only(c, DiagnosisCode.FFN_INEFFECTIVE).step());
        // gated and ffn_out are zero too, but explained by silu_gate: reported once
        assertEquals(Verdict.PROPAGATED, c.step("layers.0.gated").orElseThrow().verdict());
    }

    @Test
    void missingCausalMaskFromAttentionProbabilities() {
        Comparison c = faulty(DType.FLOAT32, "layers.0.attn_probs=no-causal-mask");
        assertEquals("layers.0.attn_probs", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.CAUSAL_MASK);
        assertEquals("layers.0.attn_probs", d.step());
        assertEquals((long) EngineTraces.HEADS * EngineTraces.T * (EngineTraces.T - 1) / 2, d.evidence().get("masked_entries"));
    }

    @Test
    void missingCausalMaskFromRowsWhenProbabilitiesAreNotRecorded() {
        Set<String> noProbs = Set.of("layers.0.attn_probs", "layers.1.attn_probs");
        Comparison c = compare(EngineTraces.omitting(engine.run(DType.FLOAT32), noProbs),
                EngineTraces.omitting(engine.run(DType.FLOAT32, "layers.0.attn_probs=no-causal-mask"), noProbs));
        assertEquals("layers.0.attn_ctx", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.CAUSAL_MASK);
        assertEquals("layers.0.attn_ctx", d.step());
        double[] rows = c.step("layers.0.attn_ctx").orElseThrow().metrics().rowDeviation();
        assertEquals(0.0, rows[EngineTraces.T - 1], 0.0); // the last row attends to everything anyway
    }

    /** NaN probabilities, as from a mask that also hides the diagonal (row 0 without keys: softmax of all -inf). */
    @Test
    void nonFiniteProbabilitiesAreDiagnosedAtTheirFirstStep() {
        Comparison c = faulty(DType.FLOAT32, "layers.0.attn_probs=nan");
        assertEquals("layers.0.attn_probs", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.NON_FINITE);
        assertEquals("layers.0.attn_probs", d.step());
        assertTrue((Long) d.evidence().get("nan") > 0);
    }

    @Test
    void oneScaledLastRowIsLocalizedNotAPositionError() {
        Comparison c = faulty(DType.FLOAT16, "layers.1.up=scale:1.5@last");
        assertEquals("layers.1.up", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.ROWS_LOCALIZED);
        assertEquals(List.of(EngineTraces.T - 1), d.evidence().get("rows_off"));
        assertEquals(1.5, (Double) d.evidence().get("row_norm_ratio"), 0.01);
        assertTrue(c.diagnosesFor("layers.1.up").stream().noneMatch(x -> x.code() == DiagnosisCode.POSITION_OFFSET));
    }

    @Test
    void aRopeOffsetOfTheLastTokenIsStillAPositionError() {
        Comparison c = faulty(DType.FLOAT32, "layers.1.q_rope=rope-offset:1@last");
        assertEquals("layers.1.q_rope", c.firstDivergence());
        only(c, DiagnosisCode.POSITION_OFFSET);
    }

    @Test
    void wrongRopeFrequenciesLeaveRowZeroClean() {
        Comparison c = faulty(DType.FLOAT32, "layers.0.q_rope=rope-interleaved", "layers.0.k_rope=rope-interleaved");
        assertEquals("layers.0.q_rope", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.POSITION_OFFSET);
        assertEquals("layers.0.q_rope", d.step());
        assertEquals(0.0, (Double) d.evidence().get("row0_deviation"), 0.0);
    }

    @Test
    void droppedResidualIsNotAStaleBuffer() {
        Comparison c = faulty(DType.FLOAT32, "layers.0.resid_mid=no-residual");
        assertEquals("layers.0.resid_mid", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.MISSING_RESIDUAL);
        assertEquals("layers.0.resid_mid", d.step());
        assertEquals("layers.0.attn_out", d.evidence().get("branch"));
        assertTrue(c.diagnoses().stream().noneMatch(x -> x.code() == DiagnosisCode.STALE_BUFFER), c.diagnoses()::toString);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT16", "BFLOAT16"})
    void missingAttentionScaleSharpensEveryHead(DType dtype) {
        Comparison c = faulty(dtype, "layers.0.attn_probs=no-scale");
        assertEquals("layers.0.attn_probs", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.ATTENTION_SCALE);
        assertTrue(d.message().contains("sharper"), d.message());
        assertTrue((Double) d.evidence().get("norm_ratio") > 1);
    }

    @Test
    void headOrderIsALayoutPermutation() {
        Comparison c = compare(engine.run(DType.FLOAT32), engine.headsReversed(DType.FLOAT32));
        assertEquals("layers.0.attn_ctx", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.LAYOUT_PERMUTATION);
        assertEquals("layers.0.attn_ctx", d.step());
        assertTrue(d.message().contains("values moved within rows"), d.message());
    }

    /** Query heads reading the wrong value heads: rearranged values, but not within rows (row norms change). */
    @Test
    void gqaModuloIsALayoutPermutation() {
        Comparison c = faulty(DType.FLOAT32, "layers.0.attn_ctx=gqa-modulo");
        assertEquals("layers.0.attn_ctx", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.LAYOUT_PERMUTATION);
        assertEquals("layers.0.attn_ctx", d.step());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "BFLOAT16"})
    void scaledEmbeddingIsAScaleFactor(DType dtype) {
        Comparison c = faulty(dtype, "embed=scale:4");
        assertEquals("embed", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.SCALE_FACTOR);
        assertEquals(4.0, (Double) d.evidence().get("factor"), 1e-6);
    }

    @Test
    void gateAndUpSwapped() {
        Comparison c = faulty(DType.FLOAT16, "layers.0.gate=swap:layers.0.up");
        assertEquals("layers.0.gate", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.SWAPPED_INPUTS);
        assertEquals("layers.0.up", d.evidence().get("matches_reference_step"));
        assertEquals(true, d.evidence().get("vice_versa"));
    }

    @Test
    void ffnOutStillHoldingAttnOutIsAStaleBuffer() {
        Comparison c = faulty(DType.FLOAT32, "layers.0.ffn_out=stale:layers.0.attn_out");
        assertEquals("layers.0.ffn_out", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.STALE_BUFFER);
        assertEquals("layers.0.attn_out", d.evidence().get("identical_to"));
        assertEquals("bit-identical", d.evidence().get("basis"));
    }

    /** Logits scaled so that the largest |logit| is 70000: beyond float16's 65504, fine in float32. */
    @Test
    void float16OverflowNearItsMaximumIsARangeProblem() {
        Stats clean = engine.run(DType.FLOAT32).step("logits").orElseThrow().stats();
        String huge = "logits=scale:" + 7e4 / Math.max(Math.abs(clean.min()), Math.abs(clean.max()));
        Comparison c = compare(engine.run(DType.FLOAT32, huge), engine.run(DType.FLOAT16, huge));
        assertEquals("logits", c.firstDivergence());
        Diagnosis d = only(c, DiagnosisCode.F16_OVERFLOW_RISK);
        assertEquals("logits", d.step());
        assertTrue(c.diagnoses().stream().noneMatch(x -> x.code() == DiagnosisCode.NON_FINITE));
    }

    @Test
    void staleBufferFromStatisticsWhenTracesCarryNoHashes() {
        Comparison c = compare(withoutHashes(engine.run(DType.FLOAT32)),
                withoutHashes(engine.run(DType.FLOAT32, "layers.0.ffn_out=stale:layers.0.attn_out")));
        Diagnosis d = only(c, DiagnosisCode.STALE_BUFFER);
        assertEquals("statistics-identical", d.evidence().get("basis"));
    }

    @Test
    void registryTakesExtraDiagnosers() {
        Diagnoser logitsWatch = ctx -> List.of(new Diagnosis(DiagnosisCode.NON_FINITE, "logits", "custom", Map.of()));
        Comparison c = TraceComparator.create().withDiagnosers(Diagnosers.defaults().with(logitsWatch))
                .compare(engine.run(DType.FLOAT32), engine.run(DType.FLOAT32, "layers.0.silu_gate=zero"));
        assertEquals("custom", c.diagnoses().get(c.diagnoses().size() - 1).message());
    }

    static Trace withoutHashes(Trace t) {
        return t.withSteps(t.steps().stream().map(s -> new Step(s.name(), s.shape(), s.dtype(), s.stats(), s.rowSums(),
                s.rowSumSq(), s.sketch(), null)).toList());
    }

    @Test
    void cleanRunsHaveNoDiagnosesEvenInternally() {
        for (DType d : DType.values()) {
            Trace t = engine.run(d);
            assertTrue(compare(t, t).diagnoses().isEmpty(), d::toString);
        }
    }
}
