package dev.layerwise.compare;

import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.trace.Trace;
import java.util.List;
import java.util.Optional;

/**
 * The result of comparing a candidate trace with a reference: one {@link StepResult} per step in canonical order,
 * the divergence point, the diagnoses, and notes on what could not be checked.
 *
 * @param notComparable why the traces cannot be compared, or null
 * @param firstDivergence the first failing step in canonical order, or null
 */
public record Comparison(Trace reference, Trace candidate, List<StepResult> steps, String firstDivergence,
        List<Diagnosis> diagnoses, String notComparable, String profile, List<String> notes) {

    public Comparison {
        steps = List.copyOf(steps);
        diagnoses = List.copyOf(diagnoses);
        notes = List.copyOf(notes);
    }

    public static Comparison notComparable(Trace reference, Trace candidate, String reason) {
        return new Comparison(reference, candidate, List.of(), null, List.of(), reason, null, List.of());
    }

    public boolean comparable() {
        return notComparable == null;
    }

    public boolean passed() {
        return comparable() && firstDivergence == null;
    }

    /** pass, fail or not_comparable. */
    public String verdict() {
        if (!comparable()) {
            return "not_comparable";
        }
        return passed() ? "pass" : "fail";
    }

    /** 0 within tolerance, 1 a divergence, 3 not comparable (the CLI's exit status). */
    public int exitCode() {
        if (!comparable()) {
            return 3;
        }
        return passed() ? 0 : 1;
    }

    public Optional<StepResult> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public List<Diagnosis> diagnosesFor(String step) {
        return diagnoses.stream().filter(d -> step.equals(d.step())).toList();
    }

    public long count(Verdict v) {
        return steps.stream().filter(s -> s.verdict() == v).count();
    }
}
