package dev.layerwise.junit;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.opentest4j.AssertionFailedError;

/**
 * Assertions over whole traces, in the style of JUnit's {@code Assertions}:
 *
 * <pre>{@code
 * import static dev.layerwise.junit.LayerwiseAssertions.assertTracesMatch;
 *
 * assertTracesMatch(Path.of("reference-dumps/tiny-f32.json"), engineTrace);
 * }</pre>
 */
public final class LayerwiseAssertions {
    private LayerwiseAssertions() {
    }

    /** Fails unless every step both traces record is within the default tolerances; returns the comparison. */
    public static Comparison assertTracesMatch(Trace reference, Trace candidate) {
        return assertTracesMatch(reference, candidate, TraceComparator.create());
    }

    public static Comparison assertTracesMatch(Path reference, Path candidate) {
        return assertTracesMatch(TraceReader.read(reference), TraceReader.read(candidate));
    }

    public static Comparison assertTracesMatch(Path reference, Trace candidate) {
        return assertTracesMatch(TraceReader.read(reference), candidate);
    }

    public static Comparison assertTracesMatch(Trace reference, Trace candidate, TraceComparator comparator) {
        Comparison c = comparator.compare(reference, candidate);
        if (!c.comparable()) {
            throw new AssertionFailedError("traces not comparable: " + c.notComparable());
        }
        if (c.firstDivergence() != null) {
            StepResult first = c.step(c.firstDivergence()).orElseThrow();
            throw new AssertionFailedError(divergenceMessage(c), StepText.of(first.reference()),
                    StepText.of(first.candidate()));
        }
        if (c.coverageTooLow()) {
            throw new AssertionFailedError("insufficient coverage: " + c.coverageShortfall());
        }
        return c;
    }

    /** "candidate diverges at STEP: METRIC > TOLERANCE; CODE: message; ..." */
    static String divergenceMessage(Comparison c) {
        StepResult first = c.step(c.firstDivergence()).orElseThrow();
        String diagnoses = c.diagnoses().stream().map(Diagnosis::toString).collect(Collectors.joining("; "));
        long failing = c.steps().stream().filter(s -> s.verdict().isFailing()).count();
        return c.candidate().label() + " diverges from " + c.reference().label() + " at " + first.name() + ": "
                + first.reason() + " (" + failing + " failing steps)" + (diagnoses.isEmpty() ? "" : "; " + diagnoses);
    }
}
