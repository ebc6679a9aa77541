package dev.layerwise.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.importer.ImporterFixtures;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeterminismAnalyzerTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();

    @Test
    void identicalRunsAreDeterministic() {
        DeterminismResult d = DeterminismAnalyzer.analyze(List.of(engine.run(DType.FLOAT16), engine.run(DType.FLOAT16),
                engine.run(DType.FLOAT16)));
        assertTrue(d.deterministic());
        assertNull(d.firstNondeterministic());
        assertEquals(0, d.exitCode());
        assertTrue(d.steps().stream().allMatch(s -> s.basis().equals("sha256") && s.spread().get("sum") == 0.0));
    }

    @Test
    void firstNondeterministicStepAndSpread() {
        Trace a = engine.run(DType.FLOAT32);
        // a second run whose layer-1 up_proj rounded one ulp higher: a real, small difference
        Trace other = engine.run(DType.FLOAT32, "layers.1.up=perturb-ulp");
        List<Step> steps = new ArrayList<>(a.steps());
        int i = steps.indexOf(a.step("layers.1.up").orElseThrow());
        steps.set(i, other.step("layers.1.up").orElseThrow());
        Trace b = a.withSteps(steps);
        DeterminismResult d = DeterminismAnalyzer.analyze(List.of(a, a, b));
        assertFalse(d.deterministic());
        assertEquals("layers.1.up", d.firstNondeterministic());
        StepDeterminism up = d.steps().stream().filter(s -> s.name().equals("layers.1.up")).findFirst().orElseThrow();
        assertEquals(Math.abs(a.step("layers.1.up").get().stats().sum() - other.step("layers.1.up").get().stats().sum()),
                up.spread().get("sum"), 0);
        assertEquals("1 of 2 runs differ from run 1", up.note());
    }

    @Test
    void sumOnlyRunsFallBackToExactStatistics() {
        Trace seed = ImporterFixtures.seedTable("2");
        DeterminismResult d = DeterminismAnalyzer.analyze(List.of(seed, seed, seed));
        assertTrue(d.deterministic());
        assertTrue(d.steps().stream().allMatch(s -> s.basis().equals("stats")));
    }

    @Test
    void runsOfDifferentInputsAreRejected() {
        Trace a = engine.run(DType.FLOAT32);
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> DeterminismAnalyzer.analyze(List.of(a, TraceComparatorTest.withTokens(a, new int[] {1}))));
        assertEquals(3, e.exitCode());
    }
}
