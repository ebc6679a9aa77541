package dev.layerwise.junit;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;

/**
 * One dynamic test per step of a trace comparison, for a {@code @TestFactory}:
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> engineMatchesHuggingFace() {
 *     return TraceComparisonTests.forPair(Path.of("reference-dumps/tiny-f32.json"), Path.of("target/engine.json"));
 * }
 * }</pre>
 *
 * A failing step fails with its metric, tolerance and diagnoses; a step recorded in one trace only is skipped
 * (aborted); traces that cannot be compared (or share no step) give a single failing test named "comparable"; a last
 * test named "coverage" fails when the comparator demands more coverage than was reached.
 */
public final class TraceComparisonTests {
    private TraceComparisonTests() {
    }

    public static Stream<DynamicTest> forPair(Path reference, Path candidate) {
        return forPair(TraceReader.read(reference), TraceReader.read(candidate));
    }

    public static Stream<DynamicTest> forPair(Trace reference, Trace candidate) {
        return forPair(reference, candidate, TraceComparator.create());
    }

    public static Stream<DynamicTest> forPair(Trace reference, Trace candidate, TraceComparator comparator) {
        return forComparison(comparator.compare(reference, candidate));
    }

    public static Stream<DynamicTest> forComparison(Comparison c) {
        if (!c.comparable()) {
            return Stream.of(DynamicTest.dynamicTest("comparable", () -> {
                throw new AssertionFailedError("traces not comparable: " + c.notComparable());
            }));
        }
        DynamicTest coverage = DynamicTest.dynamicTest("coverage", () -> {
            if (c.coverageTooLow()) {
                throw new AssertionFailedError("insufficient coverage: " + c.coverageShortfall() + "; "
                        + c.coverage().describe());
            }
        });
        return Stream.concat(c.steps().stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> check(c, r))),
                Stream.of(coverage));
    }

    private static void check(Comparison c, StepResult r) {
        if (!r.inBoth()) {
            Assumptions.abort(r.name() + ": " + r.reason());
        }
        if (r.verdict().isFailing()) {
            List<Diagnosis> ds = c.diagnoses();
            String diag = ds.stream().filter(d -> d.step().equals(r.name()) || r.name().equals(c.firstDivergence()))
                    .map(Diagnosis::toString).collect(Collectors.joining("; "));
            String where = r.name().equals(c.firstDivergence()) ? "first divergence" : "propagated from "
                    + c.firstDivergence();
            throw new AssertionFailedError(r.name() + " (" + where + "): " + r.reason()
                    + (diag.isEmpty() ? "" : "; " + diag), StepText.of(r.reference()), StepText.of(r.candidate()));
        }
    }
}
