package dev.layerwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.compare.diagnosis.DiagnosisCode;
import dev.layerwise.margins.PlantedFault;
import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every planted fault of the cpu engine, run on the tiny seed-1 checkpoint (synthesized in Java) in f32,
 * f16 and bf16 and compared with the committed Hugging Face reference of that dtype: the comparator must
 * put the first divergence exactly at the faulted step and name the expected diagnosis there. The clean
 * run must pass. One dynamic test per (fault, dtype); the faults are {@link PlantedFault#CATALOG} (a fault without a
 * catalog diagnosis is held to its step alone).
 */
class FaultLocalizationIT {

    static final List<String> DTYPES = List.of("f32", "f16", "bf16");

    static Trace reference(String dtype) {
        return TraceReader.read(Components.repoRoot().resolve("reference-dumps/tiny-seed1-" + dtype + ".json"));
    }

    static Trace run(Trace reference, List<String> inject) {
        Path model = SyntheticCheckpoints.behind(reference);
        try (Engine e = JavaEngine.open(model, EngineKind.CPU)) {
            return ReferenceRunner.runLike(e, reference, RunOptions.defaults().withInject(inject), model);
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
        return DTYPES.stream().flatMap(dtype -> PlantedFault.CATALOG.stream().filter(f -> f.localizedIn(dtype))
                .map(f -> DynamicTest.dynamicTest(f.inject() + " " + dtype, () -> {
                    Trace reference = reference(dtype);
                    assertLocalizedAndDiagnosed(f, reference);
                })));
    }

    /** The long-reduction faults on the wide-i11008 shape (reference: HF CPU eager of reference-dumps/clean-spread). */
    @TestFactory
    Stream<DynamicNode> longReductionFaultsAreLocalizedOnTheWideShape() {
        return DTYPES.stream().flatMap(dtype -> PlantedFault.LONG_REDUCTION.stream().map(f -> DynamicTest.dynamicTest(
                f.inject() + " wide-i11008 " + dtype, () -> {
                    Trace reference = TraceReader.read(Components.repoRoot().resolve(
                            "reference-dumps/clean-spread/wide-i11008-" + dtype + ".cpu-eager.json.gz"));
                    Comparison clean = TraceComparator.create().compare(reference, run(reference, List.of()));
                    assertTrue(clean.passed(), () -> "clean run diverges at " + clean.firstDivergence());
                    assertLocalizedAndDiagnosed(f, reference);
                })));
    }

    private static void assertLocalizedAndDiagnosed(PlantedFault f, Trace reference) {
        Comparison c = TraceComparator.create().compare(reference, run(reference, List.of(f.inject())));
        assertEquals(f.firstDivergence(), c.firstDivergence(), () -> "diagnoses " + c.diagnoses());
        if (f.diagnosis() == null) {
            return; // no diagnosis names this fault yet: its step is what is asserted
        }
        List<DiagnosisCode> codes = c.diagnosesFor(f.firstDivergence()).stream().map(Diagnosis::code).toList();
        assertTrue(codes.contains(f.diagnosis()), () -> "expected " + f.diagnosis() + " at " + f.firstDivergence()
                + ", got " + c.diagnosesFor(f.firstDivergence()));
    }
}
