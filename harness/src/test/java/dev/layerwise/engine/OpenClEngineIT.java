package dev.layerwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.DeterminismAnalyzer;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.compare.diagnosis.DiagnosisCode;
import dev.layerwise.engine.opencl.OpenClOptions;
import dev.layerwise.junit.TraceComparisonTests;
import dev.layerwise.margins.PlantedFault;
import dev.layerwise.model.HfCheckpoint;
import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The opencl engine (on whatever OpenCL device the machine has; PoCL in CI) against every committed
 * Hugging Face reference, its determinism, and every fault kind caught where it was planted: the GPU
 * bug classes of the engine and the engine-independent kinds of {@link PlantedFault#CATALOG}.
 */
class OpenClEngineIT {

    /** A GPU bug class planted on the tiny checkpoint of {@code dtype}, where it must be caught, and how. */
    record GpuFault(String inject, boolean poison, String dtype, String firstDivergence, DiagnosisCode diagnosis) {
    }

    static final List<GpuFault> GPU_FAULTS = List.of(
            // layer 1: the buffer still holds layer 0's output
            new GpuFault("layers.1.silu_gate=not-enqueued", false, "f16", "layers.1.silu_gate", DiagnosisCode.STALE_BUFFER),
            // layer 0: the buffer was never written at all
            new GpuFault("layers.0.v=not-enqueued", false, "f16", "layers.0.v", DiagnosisCode.ZERO_OUTPUT),
            new GpuFault("layers.0.attn_out=not-enqueued", true, "bf16", "layers.0.attn_out", DiagnosisCode.NON_FINITE),
            new GpuFault("layers.1.gate=stale-pooled-buffer", false, "f16", "layers.1.gate", DiagnosisCode.STALE_BUFFER),
            new GpuFault("layers.0.ffn_out=stale-pooled-buffer", true, "f32", "layers.0.ffn_out",
                    DiagnosisCode.NON_FINITE),
            // the consumer runs before its held-back producer: silu of layer 0's gate is layer 0's silu_gate
            new GpuFault("layers.1.silu_gate=missing-wait", false, "f16", "layers.1.silu_gate",
                    DiagnosisCode.STALE_BUFFER),
            // layer 0: the gate buffer was never written before, silu(0) = 0 (the held-back poison too)
            new GpuFault("layers.0.silu_gate=missing-wait", true, "bf16", "layers.0.silu_gate",
                    DiagnosisCode.ZERO_OUTPUT),
            new GpuFault("layers.0.gate=f16-accumulation", false, "f32", "layers.0.gate",
                    DiagnosisCode.HALF_PRECISION_ACCUMULATION));

    static Trace reference(String dtype) {
        return TraceReader.read(Components.repoRoot().resolve("reference-dumps/tiny-seed1-" + dtype + ".json"));
    }

    static Trace run(Trace reference, List<String> inject, boolean poison) {
        return run(reference, inject, new OpenClOptions(null, poison));
    }

    static Trace run(Trace reference, List<String> inject, OpenClOptions options) {
        Components.requireOpenCl();
        Path model = SyntheticCheckpoints.behind(reference);
        try (HfCheckpoint cp = HfCheckpoint.open(model)) {
            return LlamaEngine.of(cp).run(reference.input().tokenIds(), RunOptions.defaults()
                    .withEngine(EngineKind.OPENCL).withDtype(reference.dtype()).withInject(inject)
                    .withOpenCl(options));
        }
    }

    @TestFactory
    Stream<DynamicNode> openClMatchesEveryReference() {
        return EngineReferenceIT.references().stream().map(f -> {
            String name = Components.repoRoot().relativize(f).toString();
            return DynamicContainer.dynamicContainer(name, Stream.of(f).flatMap(file -> {
                Trace reference = TraceReader.read(file);
                return TraceComparisonTests.forPair(reference, run(reference, List.of(), false));
            }));
        });
    }

    @Test
    void poisonModeChangesNothingWhenEveryKernelWritesItsOutput() {
        Trace reference = reference("f16");
        Trace poisoned = run(reference, List.of(), true);
        Trace plain = run(reference, List.of(), false);
        assertEquals(hashes(plain), hashes(poisoned));
    }

    @Test
    void rerunIsBitIdenticalAndEqualsTheCpuEngine() {
        Trace reference = reference("bf16");
        List<Trace> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(run(reference, List.of(), false));
        }
        DeterminismResult r = DeterminismAnalyzer.analyze(runs);
        assertTrue(r.deterministic(), () -> "first nondeterministic step " + r.firstNondeterministic());
        try (HfCheckpoint cp = HfCheckpoint.open(SyntheticCheckpoints.behind(reference))) {
            Trace cpu = LlamaEngine.of(cp).run(reference.input().tokenIds(),
                    RunOptions.defaults().withDtype(reference.dtype()));
            assertEquals(hashes(cpu), hashes(runs.get(0)), "same arithmetic as the cpu engine, same bits");
        }
    }

    /**
     * The statistics reduced on the device agree with the host's StepAccumulator on the same values (the
     * hashes are equal): counts, extrema and row sums exactly (the same additions), whole-tensor sums
     * within the rounding bound of two float64 summation orders, (2n + 16) 2^-53 sum |x|.
     */
    @Test
    void deviceStatisticsAgreeWithTheHostAccumulator() {
        Trace reference = reference("f32");
        Trace device = run(reference, List.of(), false);
        Trace cpu = cpuRun(reference);
        for (int i = 0; i < cpu.steps().size(); i++) {
            dev.layerwise.trace.Step h = cpu.steps().get(i);
            dev.layerwise.trace.Step d = device.steps().get(i);
            assertEquals(h.sha256(), d.sha256(), h.name());
            assertEquals(h.stats().count(), d.stats().count(), h.name());
            assertEquals(h.stats().min(), d.stats().min(), h.name());
            assertEquals(h.stats().max(), d.stats().max(), h.name());
            assertEquals(h.stats().zeros(), d.stats().zeros(), h.name());
            assertEquals(h.stats().nan(), d.stats().nan(), h.name());
            assertTrue(java.util.Arrays.equals(h.rowSums(), d.rowSums()), h.name() + " row sums");
            assertTrue(java.util.Arrays.equals(h.rowSumSq(), d.rowSumSq()), h.name() + " row sums of squares");
            double bound = (2.0 * h.stats().count() + 16) * Math.ulp(1.0) / 2 * h.stats().absSum();
            assertEquals(h.stats().sum(), d.stats().sum(), bound, h.name() + " sum");
            assertEquals(h.stats().absSum(), d.stats().absSum(), bound, h.name() + " abs_sum");
            for (int j = 0; j < h.sketch().length; j++) {
                assertEquals(h.sketch()[j], d.sketch()[j], 3 * bound, h.name() + " sketch " + j);
            }
        }
    }

    @Test
    void withoutHashingNothingButStatisticsComeBackAndRerunsStillAgree() {
        Trace reference = reference("f16");
        List<Trace> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(run(reference, List.of(), new OpenClOptions(null, false, false)));
        }
        assertTrue(runs.get(0).steps().stream().allMatch(s -> s.sha256() == null), "no step hashed");
        assertEquals(runs.get(0).steps(), runs.get(1).steps(), "device statistics bit-identical run to run");
        DeterminismResult r = DeterminismAnalyzer.analyze(runs);
        assertTrue(r.deterministic());
        Comparison c = TraceComparator.create().compare(reference, runs.get(0));
        assertTrue(c.passed(), () -> "first divergence " + c.firstDivergence());
        Comparison faulted = TraceComparator.create().compare(reference, run(reference,
                List.of("layers.1.silu_gate=not-enqueued"), new OpenClOptions(null, false, false)));
        assertEquals("layers.1.silu_gate", faulted.firstDivergence());
    }

    private static Trace cpuRun(Trace reference) {
        try (HfCheckpoint cp = HfCheckpoint.open(SyntheticCheckpoints.behind(reference))) {
            return LlamaEngine.of(cp).run(reference.input().tokenIds(), RunOptions.defaults().withDtype(reference.dtype()));
        }
    }

    @Test
    void atomicReductionIsCaughtByRerunAtItsStep() {
        Trace reference = reference("f32");
        List<Trace> runs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            runs.add(run(reference, List.of("layers.0.ffn_out=atomic-reduction"), false));
        }
        DeterminismResult r = DeterminismAnalyzer.analyze(runs);
        assertFalse(r.deterministic(), "five runs with an arrival-order atomic reduction were bit-identical");
        assertEquals("layers.0.ffn_out", r.firstNondeterministic());
    }

    @TestFactory
    Stream<DynamicNode> everyGpuFaultIsCaughtAtItsStep() {
        return GPU_FAULTS.stream().map(f -> DynamicTest.dynamicTest(f.inject() + (f.poison() ? " --poison " : " ")
                + f.dtype(), () -> {
                    Trace reference = reference(f.dtype());
                    Comparison c = TraceComparator.create().compare(reference, run(reference, List.of(f.inject()),
                            f.poison()));
                    assertEquals(f.firstDivergence(), c.firstDivergence(), () -> "diagnoses " + c.diagnoses());
                    assertTrue(c.step(f.firstDivergence()).orElseThrow().verdict().isFailing());
                    assertEquals(1, c.exitCode(), "a divergence");
                    if (f.diagnosis() != null) {
                        List<DiagnosisCode> codes = c.diagnosesFor(f.firstDivergence()).stream().map(Diagnosis::code)
                                .toList();
                        assertTrue(codes.contains(f.diagnosis()), () -> "expected " + f.diagnosis() + " at "
                                + f.firstDivergence() + ", got " + c.diagnosesFor(f.firstDivergence()));
                    }
                }));
    }

    @TestFactory
    Stream<DynamicNode> everyPlantedFaultIsLocalizedOnThisEngineToo() {
        return PlantedFault.CATALOG.stream().filter(f -> f.localizedIn("f16")).map(f -> DynamicTest.dynamicTest(
                f.inject(), () -> {
            Trace reference = reference("f16");
            Comparison c = TraceComparator.create().compare(reference, run(reference, List.of(f.inject()), false));
            assertEquals(f.firstDivergence(), c.firstDivergence(), () -> "diagnoses " + c.diagnoses());
            if (f.diagnosis() == null) {
                return; // no diagnosis names this fault yet: its step is what is asserted
            }
            assertTrue(c.diagnosesFor(f.firstDivergence()).stream().map(Diagnosis::code).toList()
                    .contains(f.diagnosis()), () -> "expected " + f.diagnosis() + ", got "
                    + c.diagnosesFor(f.firstDivergence()));
        }));
    }

    private static List<String> hashes(Trace t) {
        return t.steps().stream().map(s -> s.name() + " " + s.sha256()).toList();
    }
}
