package dev.layerwise.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** No green without evidence: a comparison that compared nothing does not pass; a partial one says how partial. */
class CoverageTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();

    static Trace renamed(Trace t, Map<String, String> names) {
        return t.withSteps(t.steps().stream().filter(s -> names.containsKey(s.name()))
                .map(s -> s.withName(names.get(s.name()))).toList());
    }

    static Trace keeping(Trace t, Set<String> names) {
        return t.withSteps(t.steps().stream().filter(s -> names.contains(s.name())).toList());
    }

    @Test
    void aCandidateWhoseNamesMatchNothingIsNotComparableAndGetsTheClosestNames() {
        Trace ref = engine.run(DType.FLOAT32);
        Trace cand = renamed(ref, Map.of("layers.0.q", "layer.0.q", "embed", "embeddings", "logits", "lm_head"));
        Comparison c = TraceComparator.create().compare(ref, cand);
        assertEquals("not_comparable", c.verdict());
        assertEquals(3, c.exitCode());
        assertFalse(c.passed());
        assertTrue(c.notComparable().startsWith("no reference step is matched by the candidate"), c.notComparable());
        for (String hint : List.of("layer.0.q (closest canonical name: layers.0.q)",
                "embeddings (closest canonical name: embed)", "lm_head (closest canonical name: logits)")) {
            assertTrue(c.notComparable().contains(hint), c.notComparable());
        }
        assertEquals(0, c.coverage().compared());
        assertEquals(3, c.coverage().unmatched().size());
    }

    @Test
    void emptyStepsAreNotComparable() {
        Trace ref = engine.run(DType.FLOAT32);
        Comparison noCandidate = TraceComparator.create().compare(ref, ref.withSteps(List.of()));
        assertEquals(3, noCandidate.exitCode());
        assertEquals("the candidate records no steps: nothing to compare", noCandidate.notComparable());
        Comparison noReference = TraceComparator.create().compare(ref.withSteps(List.of()), ref);
        assertEquals(3, noReference.exitCode());
        assertEquals("the reference records no steps: nothing to compare", noReference.notComparable());
    }

    @Test
    void aPartialMatchPassesOnWhatWasComparedAndSaysWhatIsMissing() {
        Trace ref = engine.run(DType.FLOAT32);
        Trace cand = keeping(engine.run(DType.FLOAT16), Set.of("embed", "layers.0.out", "layers.1.out", "logits"));
        Comparison c = TraceComparator.create().compare(ref, cand);
        assertEquals("pass", c.verdict());
        assertEquals(4, c.coverage().compared());
        assertEquals(3 + 17 * EngineTraces.LAYERS, c.coverage().referenceSteps());
        assertFalse(c.coverage().full());
        assertEquals("coverage: 4 of 37 reference steps compared; not compared: attn_norm, q, k, v, q_rope, k_rope, "
                + "attn_probs, attn_ctx, attn_out, resid_mid, ffn_norm, gate, up, silu_gate, gated, ffn_out (layers "
                + "0-1); final_norm", c.coverage().describe());
    }

    @Test
    void minCoverageTurnsAPartialPassIntoInsufficientCoverageButNotADivergenceIntoOne() {
        Trace ref = engine.run(DType.FLOAT32);
        Set<String> few = Set.of("embed", "layers.0.out", "layers.1.out", "logits");
        Comparison low = TraceComparator.create().withMinCoverage(0.5).compare(ref, keeping(ref, few));
        assertEquals("insufficient_coverage", low.verdict());
        assertEquals(3, low.exitCode());
        assertNull(low.firstDivergence());
        assertEquals("compared 4 of 37 reference steps (0.108), below --min-coverage 0.5", low.coverageShortfall());
        Comparison enough = TraceComparator.create().withMinCoverage(1).compare(ref, engine.run(DType.FLOAT16));
        assertEquals("pass", enough.verdict());
        Trace faulty = keeping(engine.run(DType.FLOAT32, "layers.0.out=zero"), few);
        Comparison divergence = TraceComparator.create().withMinCoverage(0.5).compare(ref, faulty);
        assertEquals("fail", divergence.verdict());
        assertEquals(1, divergence.exitCode());
    }

    @Test
    void stepsInBothWithNothingInCommonAreNotEvidence() {
        Trace ref = engine.run(DType.FLOAT32);
        // a last-row candidate of logits against a reference without row sums: paired, but nothing to compare
        Step logits = ref.step("logits").orElseThrow();
        Step noRows = new Step(logits.name(), logits.shape(), logits.dtype(), logits.stats(), null, null,
                logits.sketch(), logits.sha256());
        Step lastRow = new Step("logits.last_row", new long[] {1, logits.shape()[1]}, logits.dtype(),
                dev.layerwise.trace.Stats.sumOnly(1.5), null, null, null, null);
        Comparison c = TraceComparator.create().compare(ref.withSteps(List.of(noRows)), ref.withSteps(List.of(lastRow)));
        assertEquals(3, c.exitCode());
        assertTrue(c.notComparable().startsWith("none of the 1 reference steps could be compared"), c.notComparable());
    }

    @Test
    void closestCanonicalNames() {
        assertEquals(Optional.of("layers.0.q"), ClosestCanonicalStep.of("layer.0.q"));
        assertEquals(Optional.of("embed"), ClosestCanonicalStep.of("embeddings"));
        assertEquals(Optional.of("logits"), ClosestCanonicalStep.of("lm_head"));
        assertEquals(Optional.of("layers.3.q"), ClosestCanonicalStep.of("model.layers.3.self_attn.q_proj"));
        assertEquals(Optional.of("layers.7.silu_gate"), ClosestCanonicalStep.of("blk.7.silu_gat"));
        assertEquals(Optional.of("final_norm"), ClosestCanonicalStep.of("final-norm"));
        assertEquals(Optional.empty(), ClosestCanonicalStep.of("tokenizer_state"));
    }

    @Test
    void missingStepsAreGroupedByKindAcrossLayers() {
        assertEquals("q_rope, k_rope (layers 0-2, 5); attn_probs (layer 4); logits", StepGroups.compact(List.of(
                "layers.0.q_rope", "layers.0.k_rope", "layers.1.q_rope", "layers.1.k_rope", "layers.2.q_rope",
                "layers.2.k_rope", "layers.4.attn_probs", "layers.5.q_rope", "layers.5.k_rope", "logits")));
        assertEquals("", StepGroups.compact(List.of()));
    }
}
