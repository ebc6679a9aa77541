package dev.layerwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.TraceComparator;
import dev.layerwise.engine.opencl.OpenClOptions;
import dev.layerwise.model.HfCheckpoint;
import dev.layerwise.replay.KernelReplay;
import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code layerwise replay}: every GPU fault kind planted in one kernel is named by replay as the kernel
 * with a local error (its output against the cpu op on the inputs the device read), and a clean pass
 * names none: on PoCL every kernel is then bit-identical to its cpu op.
 */
class KernelReplayIT {

    static KernelReplay.Result replay(String dtype, List<String> inject, boolean poison) {
        Components.requireOpenCl();
        Trace reference = OpenClEngineIT.reference(dtype);
        try (HfCheckpoint cp = HfCheckpoint.open(SyntheticCheckpoints.behind(reference))) {
            return KernelReplay.run(LlamaEngine.of(cp), reference.input().tokenIds(), RunOptions.defaults()
                    .withEngine(EngineKind.OPENCL).withDtype(reference.dtype()).withInject(inject)
                    .withOpenCl(new OpenClOptions(null, poison)), TraceComparator.create());
        }
    }

    @Test
    void aCleanPassNamesNoKernel() {
        KernelReplay.Result r = replay("bf16", List.of(), false);
        assertTrue(r.faulted().isEmpty(), () -> "named " + r.faulted());
        assertTrue(r.firstInexact().isEmpty(), () -> "not bit-identical to the cpu op: " + r.firstInexact());
        assertEquals(r.device().steps().size(), r.kernels().size(), "every step replayed");
        assertTrue(r.kernels().stream().allMatch(k -> k.inheritedError() == 0.0), "nothing inherited");
    }

    /** A fault kind planted in one kernel, the model dtype, poison mode. */
    record Planted(String inject, String dtype, boolean poison) {
        String step() {
            return inject.substring(0, inject.indexOf('='));
        }
    }

    static final List<Planted> PLANTED = List.of(
            new Planted("layers.1.silu_gate=not-enqueued", "f16", false),
            new Planted("layers.0.attn_out=not-enqueued", "bf16", true),
            new Planted("layers.1.gate=stale-pooled-buffer", "f16", false),
            new Planted("layers.1.silu_gate=missing-wait", "f16", false),
            new Planted("layers.1.k=missing-wait", "f32", false),
            new Planted("layers.0.gate=f16-accumulation", "f32", false));

    @TestFactory
    Stream<DynamicNode> everyFaultKindIsNamedAsTheKernelWithALocalError() {
        return PLANTED.stream().map(p -> DynamicTest.dynamicTest(p.inject() + " " + p.dtype(), () -> {
            KernelReplay.Result r = replay(p.dtype(), List.of(p.inject()), p.poison());
            assertEquals(p.step(), r.faulted().orElseThrow(() -> new AssertionError("nothing named")).step());
            assertEquals(p.step(), r.firstInexact().orElseThrow().step(), "every kernel before it is exact");
            KernelReplay.Kernel k = r.faulted().get();
            assertEquals(0.0, k.inheritedError(), "its inputs are those of a clean pass");
            // downstream kernels, given the faulted values, reproduce their ops: none is named
            assertEquals(1, r.kernels().stream().filter(x -> x.local().isFailing()).count(),
                    () -> "failing: " + r.kernels().stream().filter(x -> x.local().isFailing()).toList());
            assertTrue(r.kernels().stream().anyMatch(x -> x.inheritedError() != null && x.inheritedError() != 0.0),
                    "the error is inherited downstream");
        }));
    }

    /**
     * An arrival-order atomic reduction stays within the float32 tolerance of the op (the whole-pass
     * comparison passes): replay still names it as the first kernel that is not bit-identical to its op.
     */
    @Test
    void anAtomicReductionIsTheFirstKernelThatDiffersFromItsOp() {
        KernelReplay.Result r = replay("f32", List.of("layers.0.ffn_out=atomic-reduction"), false);
        assertEquals("layers.0.ffn_out", r.firstInexact().orElseThrow().step());
        assertFalse(r.kernels().get(0).step().equals("layers.0.ffn_out"));
    }
}
