package dev.layerwise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.StepOrder;
import dev.layerwise.trace.StepGraph;
import dev.layerwise.engine.fault.FaultKind;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.ModelDims;
import dev.layerwise.trace.StepKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link StepKind}: it is the one place that defines a step. Every table that once spelled the
 * vocabulary (names, order, shapes, reduction lengths, data flow, fault applicability, swap partners) is derived
 * from it, so adding a step, e.g. Qwen's per-head {@code q_norm}, is one constant
 * {@code Q_NORM("q_norm", Scope.LAYER, Width.Q, Reduction.HIDDEN, Op.RMS_NORM, "q")} plus the engine code
 * that computes it; these tests then hold for it without any other edit.
 */
class StepKindContractTest {
    private static final ModelDims DIMS = new ModelDims(16, 40, 2, 4, 2, 4, 50);

    @Test
    void canonicalNamesComeFromTheKindsInDeclarationOrder() {
        List<String> expected = new ArrayList<>();
        expected.add("embed");
        for (int layer = 0; layer < 2; layer++) {
            for (StepKind k : StepKind.layerKinds()) {
                expected.add("layers." + layer + "." + k.id());
            }
        }
        expected.add("final_norm");
        expected.add("logits");
        assertEquals(expected, CanonicalSteps.all(2));
        assertEquals(1 + 17 * 2 + 2, CanonicalSteps.all(2).size(), "today's Llama vocabulary: 17 steps per layer");
        for (String name : CanonicalSteps.all(2)) {
            assertTrue(StepKind.of(name).isPresent(), name);
        }
        assertFalse(StepKind.of("layers.0.q_norm").isPresent(), "not a step until a constant names it");
    }

    @Test
    void canonicalOrderIsStrictlyIncreasingAlongExecution() {
        double last = -1;
        for (String name : CanonicalSteps.all(3)) {
            double index = StepOrder.canonicalIndex(name);
            assertTrue(index > last, name + " at " + index + " after " + last);
            last = index;
        }
    }

    @Test
    void everyKindHasAShapeAndAReductionLength() {
        assertArrayEquals(new long[] {5, 16}, DIMS.shapeOf("layers.1.attn_norm", 5));
        assertArrayEquals(new long[] {5, 16}, DIMS.shapeOf("layers.0.q", 5));
        assertArrayEquals(new long[] {5, 8}, DIMS.shapeOf("layers.0.k_rope", 5));
        assertArrayEquals(new long[] {4, 5, 5}, DIMS.shapeOf("layers.0.attn_probs", 5));
        assertArrayEquals(new long[] {5, 40}, DIMS.shapeOf("layers.0.gated", 5));
        assertArrayEquals(new long[] {5, 50}, DIMS.shapeOf("logits", 5));
        assertArrayEquals(new long[] {1, 50}, DIMS.shapeOf("logits.last_row", 5));
        assertEquals(5, DIMS.reductionLength(StepKind.ATTN_CTX, 5), "the context sums over T tokens");
        assertEquals(4, DIMS.reductionLength(StepKind.ATTN_PROBS, 5), "a score is a dot product over D");
        assertEquals(40, DIMS.reductionLength(StepKind.OUT, 5));
        for (StepKind k : StepKind.values()) {
            assertTrue(DIMS.reductionLength(k, 5) > 0, k.id());
            assertTrue(Arrays.stream(DIMS.shapeOf(k, 5)).allMatch(d -> d > 0), k.id());
        }
    }

    @Test
    void inputsNameEarlierStepsSoTheGraphIsAcyclic() {
        for (StepKind k : StepKind.values()) {
            for (String input : k.inputs()) {
                if (!input.equals(StepKind.STREAM)) {
                    StepKind in = StepKind.byId(input).orElseThrow(() -> new AssertionError(k + " reads " + input));
                    assertTrue(in.ordinal() < k.ordinal(), k + " reads the later " + input);
                }
            }
        }
        List<String> all = CanonicalSteps.all(2);
        assertEquals(List.of("layers.0.out"), StepGraph.inputsOf("layers.1.attn_norm", all));
        assertEquals(List.of("embed"), StepGraph.inputsOf("layers.0.attn_norm", all));
        assertEquals(List.of("layers.1.resid_mid", "layers.1.ffn_out"), StepGraph.inputsOf("layers.1.out", all));
        assertEquals(List.of("layers.1.out"), StepGraph.inputsOf("final_norm", all));
        assertEquals(List.of(), StepGraph.inputsOf("something_else", all));
    }

    @Test
    void residualBranchesAndSwapPartnersAreDerived() {
        assertEquals(StepKind.ATTN_OUT, StepKind.RESID_MID.branch().orElseThrow());
        assertEquals(StepKind.FFN_OUT, StepKind.OUT.branch().orElseThrow());
        assertTrue(StepKind.GATED.branch().isEmpty());
        Set<String> swappable = new TreeSet<>();
        for (StepKind k : StepKind.values()) {
            if (FaultKind.SWAP.appliesTo(k)) {
                swappable.add(k.id());
            }
        }
        assertEquals(Set.of("gate", "k", "q", "up", "v"), swappable);
        assertFalse(StepKind.Q.sharesInputWith(StepKind.GATE));
        assertTrue(StepKind.GATE.sharesInputWith(StepKind.UP));
    }

    @Test
    void semanticFaultsApplyByOperation() {
        assertEquals("q_rope, k_rope", FaultKind.ROPE_OFFSET.stepKindsText());
        assertEquals("attn_probs, attn_ctx", FaultKind.GQA_MODULO.stepKindsText());
        assertEquals("resid_mid, out", FaultKind.NO_RESIDUAL.stepKindsText());
        assertEquals("any step", FaultKind.ZERO.stepKindsText());
        for (StepKind k : StepKind.values()) {
            assertTrue(FaultKind.NAN.appliesTo(k), "buffer faults apply to every step");
        }
    }
}
