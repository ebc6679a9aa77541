package dev.layerwise.engine;

import static dev.layerwise.compare.diagnosis.DiagnosisCode.CAUSAL_MASK;
import static dev.layerwise.compare.diagnosis.DiagnosisCode.NON_FINITE;
import static dev.layerwise.compare.diagnosis.DiagnosisCode.POSITION_OFFSET;
import static dev.layerwise.compare.diagnosis.DiagnosisCode.SCALE_FACTOR;
import static dev.layerwise.compare.diagnosis.DiagnosisCode.STALE_BUFFER;
import static dev.layerwise.compare.diagnosis.DiagnosisCode.SWAPPED_INPUTS;
import static dev.layerwise.compare.diagnosis.DiagnosisCode.ZERO_OUTPUT;
import static dev.layerwise.compare.diagnosis.DiagnosisCode.ZERO_FROM_NONZERO_INPUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.compare.diagnosis.DiagnosisCode;
import dev.layerwise.model.HfCheckpoint;
import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every planted fault of the cpu engine, run on the tiny seed-1 checkpoint (synthesized in Java) in f32,
 * f16 and bf16 and compared with the committed Hugging Face reference of that dtype: the comparator must
 * put the first divergence exactly at the faulted step and name the expected diagnosis there. The clean
 * run must pass. One dynamic test per (fault, dtype).
 */
class FaultLocalizationIT {

    /** A planted fault, the step where it must be localized, and a diagnosis that must be given there. */
    record Planted(String inject, String firstDivergence, DiagnosisCode diagnosis) {
    }

    static final List<Planted> FAULTS = List.of(
            new Planted("layers.0.silu_gate=zero", "layers.0.silu_gate", ZERO_FROM_NONZERO_INPUT),
            new Planted("layers.1.silu_gate=zero", "layers.1.silu_gate", ZERO_OUTPUT),
            new Planted("layers.0.attn_probs=no-causal-mask", "layers.0.attn_probs", CAUSAL_MASK),
            new Planted("layers.0.q_rope=rope-interleaved", "layers.0.q_rope", POSITION_OFFSET),
            new Planted("layers.1.k_rope=rope-interleaved", "layers.1.k_rope", POSITION_OFFSET),
            new Planted("layers.0.q_rope=rope-offset:3", "layers.0.q_rope", POSITION_OFFSET),
            new Planted("layers.0.attn_probs=no-scale", "layers.0.attn_probs", DiagnosisCode.ATTENTION_SCALE),
            new Planted("layers.0.attn_ctx=gqa-modulo", "layers.0.attn_ctx", DiagnosisCode.LAYOUT_PERMUTATION),
            new Planted("layers.0.attn_probs=gqa-modulo", "layers.0.attn_probs", DiagnosisCode.LAYOUT_PERMUTATION),
            new Planted("layers.0.resid_mid=no-residual", "layers.0.resid_mid", DiagnosisCode.MISSING_RESIDUAL),
            new Planted("layers.1.out=no-residual", "layers.1.out", DiagnosisCode.MISSING_RESIDUAL),
            new Planted("layers.0.gate=swap:layers.0.up", "layers.0.gate", SWAPPED_INPUTS),
            new Planted("layers.0.ffn_out=stale:layers.0.attn_out", "layers.0.ffn_out", STALE_BUFFER),
            new Planted("layers.1.gate=skip", "layers.1.gate", STALE_BUFFER),
            new Planted("layers.0.v=skip", "layers.0.v", ZERO_OUTPUT),
            new Planted("layers.0.attn_out=nan", "layers.0.attn_out", NON_FINITE),
            new Planted("layers.1.up=scale:2", "layers.1.up", SCALE_FACTOR));

    static final List<String> DTYPES = List.of("f32", "f16", "bf16");

    static Trace reference(String dtype) {
        return TraceReader.read(Components.repoRoot().resolve("reference-dumps/tiny-seed1-" + dtype + ".json"));
    }

    static Trace run(Trace reference, List<String> inject) {
        try (HfCheckpoint cp = HfCheckpoint.open(SyntheticCheckpoints.behind(reference))) {
            return LlamaEngine.of(cp).run(reference.input().tokenIds(),
                    RunOptions.defaults().withDtype(reference.dtype()).withInject(inject));
        }
    }

    @TestFactory
    Stream<DynamicNode> cleanRunsPass() {
        return DTYPES.stream().map(dtype -> DynamicTest.dynamicTest("clean " + dtype, () -> {
            Trace reference = reference(dtype);
            Comparison c = TraceComparator.create().compare(reference, run(reference, List.of()));
            assertTrue(c.passed(), () -> "clean run diverges at " + c.firstDivergence() + ": " + c.diagnoses());
        }));
    }

    @TestFactory
    Stream<DynamicNode> everyPlantedFaultIsLocalizedAndDiagnosed() {
        return DTYPES.stream().flatMap(dtype -> FAULTS.stream().map(f -> DynamicTest.dynamicTest(
                f.inject() + " " + dtype, () -> {
                    Trace reference = reference(dtype);
                    Comparison c = TraceComparator.create().compare(reference, run(reference, List.of(f.inject())));
                    assertEquals(f.firstDivergence(), c.firstDivergence(), () -> "diagnoses " + c.diagnoses());
                    List<DiagnosisCode> codes = c.diagnosesFor(f.firstDivergence()).stream().map(Diagnosis::code)
                            .toList();
                    assertTrue(codes.contains(f.diagnosis()), () -> "expected " + f.diagnosis() + " at "
                            + f.firstDivergence() + ", got " + c.diagnosesFor(f.firstDivergence()));
                })));
    }
}
