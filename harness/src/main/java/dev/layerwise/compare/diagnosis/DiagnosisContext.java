package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.StepResult;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepGraph;
import dev.layerwise.trace.Trace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What diagnosers see: both traces and every step result in canonical order. */
public final class DiagnosisContext {
    private final Trace reference;
    private final Trace candidate;
    private final List<StepResult> results;
    private final Map<String, StepResult> byName = new LinkedHashMap<>();
    private final String firstDivergence;
    private final java.util.Set<String> candidateNames;

    public DiagnosisContext(Trace reference, Trace candidate, List<StepResult> results, String firstDivergence) {
        this.reference = reference;
        this.candidate = candidate;
        this.results = List.copyOf(results);
        this.firstDivergence = firstDivergence;
        this.candidateNames = candidate.stepsByName().keySet();
        for (StepResult r : results) {
            byName.put(r.name(), r);
        }
    }

    public Trace reference() {
        return reference;
    }

    public Trace candidate() {
        return candidate;
    }

    /** Every step of either trace, in canonical order. */
    public List<StepResult> results() {
        return results;
    }

    public StepResult result(String name) {
        return byName.get(name);
    }

    public String firstDivergence() {
        return firstDivergence;
    }

    /** The candidate's step of that name, or null. */
    public Step candidateStep(String name) {
        StepResult r = byName.get(name);
        return r == null ? null : r.candidate();
    }

    /** The reference's step of that name, or null. */
    public Step referenceStep(String name) {
        StepResult r = byName.get(name);
        return r == null ? null : r.reference();
    }

    /** The inputs of a step that the candidate recorded (see {@link StepGraph}). */
    public List<Step> candidateInputs(String name) {
        return StepGraph.inputsOf(name, candidateNames).stream()
                .map(this::candidateStep).filter(java.util.Objects::nonNull).toList();
    }

    /** True when both traces use the same sketch (kind, k, seed), so sketches can be subtracted. */
    public boolean sketchesComparable() {
        return reference.sketch() != null && reference.sketch().equals(candidate.sketch());
    }
}
