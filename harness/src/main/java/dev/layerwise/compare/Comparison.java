package dev.layerwise.compare;

import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.trace.Trace;
import java.util.List;
import java.util.Optional;

/**
 * The result of comparing a candidate trace with a reference: one {@link StepResult} per step in canonical order,
 * the divergence point, the diagnoses, how much of the reference was compared, and notes on what could not be
 * checked.
 *
 * @param notComparable why the traces cannot be compared, or null
 * @param firstDivergence the first failing step in canonical order, or null
 * @param coverage what was compared; null when the traces could not be lined up at all (tokens, model, shapes)
 * @param minCoverage the fraction of reference steps that must be compared for a pass (0: any, but at least one)
 */
public record Comparison(Trace reference, Trace candidate, List<StepResult> steps, String firstDivergence,
        List<Diagnosis> diagnoses, String notComparable, String profile, List<String> notes, Coverage coverage,
        double minCoverage) {

    public Comparison {
        steps = List.copyOf(steps);
        diagnoses = List.copyOf(diagnoses);
        notes = List.copyOf(notes);
    }

    public static Comparison notComparable(Trace reference, Trace candidate, String reason) {
        return notComparable(reference, candidate, reason, null);
    }

    public static Comparison notComparable(Trace reference, Trace candidate, String reason, Coverage coverage) {
        return new Comparison(reference, candidate, List.of(), null, List.of(), reason, null, List.of(), coverage, 0);
    }

    public boolean comparable() {
        return notComparable == null;
    }

    /** True when comparable, without divergence, but covering less of the reference than {@link #minCoverage}. */
    public boolean coverageTooLow() {
        return comparable() && coverage != null && coverage.fraction() < minCoverage;
    }

    public boolean passed() {
        return comparable() && firstDivergence == null && !coverageTooLow();
    }

    /** pass, fail, insufficient_coverage or not_comparable. A divergence is reported whatever the coverage. */
    public String verdict() {
        if (!comparable()) {
            return "not_comparable";
        }
        if (firstDivergence != null) {
            return "fail";
        }
        return coverageTooLow() ? "insufficient_coverage" : "pass";
    }

    /**
     * 0 within tolerance, 1 a divergence, 3 not comparable or less coverage than demanded (the CLI's exit status).
     */
    public int exitCode() {
        return switch (verdict()) {
            case "pass" -> 0;
            case "fail" -> 1;
            default -> 3;
        };
    }

    /** "compared 12 of 40 reference steps, below --min-coverage 0.9", or null when the coverage suffices. */
    public String coverageShortfall() {
        if (!coverageTooLow()) {
            return null;
        }
        return "compared " + coverage.compared() + " of " + coverage.referenceSteps() + " reference steps ("
                + Numbers.format(Math.floor(coverage.fraction() * 1000) / 1000) + "), below --min-coverage "
                + Numbers.format(minCoverage);
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
