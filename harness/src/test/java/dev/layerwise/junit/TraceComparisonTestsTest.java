package dev.layerwise.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.EngineTraces;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Trace;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class TraceComparisonTestsTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();

    @Test
    void assertTracesMatchPassesCleanAndFailsWithTheDiagnosis() {
        Trace ref = engine.run(DType.FLOAT32);
        LayerwiseAssertions.assertTracesMatch(ref, engine.run(DType.FLOAT16));
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> LayerwiseAssertions.assertTracesMatch(ref, engine.run(DType.FLOAT32, "layers.0.silu_gate=zero")));
        assertTrue(e.getMessage().contains("at layers.0.silu_gate: ") && e.getMessage().contains("ZERO_OUTPUT"),
                e.getMessage());
    }

    @Test
    void oneDynamicTestPerStepFailingOnlyFromTheDivergence() throws Throwable {
        List<DynamicTest> tests = TraceComparisonTests.forPair(engine.run(DType.FLOAT32), engine.run(DType.FLOAT32, "layers.0.silu_gate=zero"))
                .collect(Collectors.toList());
        assertEquals(3 + 17 * 2 + 1, tests.size(), "one per step and the coverage");
        assertEquals("coverage", tests.get(tests.size() - 1).getDisplayName());
        int failed = 0;
        String first = null;
        for (DynamicTest t : tests) {
            try {
                t.getExecutable().execute();
            } catch (AssertionFailedError e) {
                failed++;
                if (first == null) {
                    first = e.getMessage();
                }
            }
        }
        assertTrue(first.startsWith("layers.0.silu_gate (first divergence): "), first);
        assertTrue(failed > 1 && failed < tests.size());
        DynamicTest embed = tests.get(0);
        assertEquals("embed", embed.getDisplayName());
        embed.getExecutable().execute();
    }

    @Test
    void theCoverageTestFailsBelowTheComparatorsMinimum() throws Throwable {
        Trace ref = engine.run(DType.FLOAT32);
        Trace partial = ref.withSteps(ref.steps().subList(0, 10));
        List<DynamicTest> tests = TraceComparisonTests.forPair(ref, partial,
                TraceComparator.create().withMinCoverage(0.5)).toList();
        DynamicTest coverage = tests.get(tests.size() - 1);
        assertEquals("coverage", coverage.getDisplayName());
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> coverage.getExecutable().execute());
        assertTrue(e.getMessage().startsWith("insufficient coverage: compared 10 of 37 reference steps (0.27), below "
                + "--min-coverage 0.5; coverage: 10 of 37"), e.getMessage());
        TraceComparisonTests.forPair(ref, partial).toList().getLast().getExecutable().execute();
    }

    @Test
    void notComparableIsOneFailingTestAndOneSidedStepsAreSkipped() throws Throwable {
        List<DynamicTest> tests = TraceComparisonTests.forPair(engine.run(DType.FLOAT32), EngineTraces.withBos(engine.run(DType.FLOAT32)))
                .toList();
        assertEquals(1, tests.size());
        assertThrows(AssertionFailedError.class, () -> tests.get(0).getExecutable().execute());

        List<DynamicTest> partial = TraceComparisonTests.forPair(engine.run(DType.FLOAT32), EngineTraces.omitting(engine.run(DType.FLOAT32), Set.of("layers.0.attn_probs"))).toList();
        DynamicTest probs = partial.stream().filter(t -> t.getDisplayName().equals("layers.0.attn_probs")).findFirst()
                .orElseThrow();
        assertThrows(TestAbortedException.class, () -> probs.getExecutable().execute());
    }
}
