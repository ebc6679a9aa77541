package dev.layerwise.compare;

import dev.layerwise.compare.diagnosis.Diagnosers;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.compare.diagnosis.DiagnosisContext;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Compares a candidate trace with a reference: checks comparability, measures every common step, judges it against
 * the tolerance profile, localizes the divergence and runs the diagnosers.
 *
 * <pre>{@code
 * Comparison c = TraceComparator.create().compare(reference, candidate);
 * Comparison c = TraceComparator.create().withProfile(file).compare(reference, candidate);
 * }</pre>
 */
public final class TraceComparator {
    private final Function<Trace, ToleranceProfile> profileFor;
    private final Diagnosers diagnosers;
    private final double minCoverage;

    private TraceComparator(Function<Trace, ToleranceProfile> profileFor, Diagnosers diagnosers, double minCoverage) {
        this.profileFor = profileFor;
        this.diagnosers = diagnosers;
        this.minCoverage = minCoverage;
    }

    /** Default tolerances (derived from the reference's model and dtypes) and the built-in diagnosers. */
    public static TraceComparator create() {
        return new TraceComparator(ref -> ToleranceProfile.defaults(TraceDims.of(ref)), Diagnosers.defaults(), 0);
    }

    public TraceComparator withProfile(ToleranceProfile profile) {
        return new TraceComparator(ref -> profile, diagnosers, minCoverage);
    }

    /** A calibrated profile file; steps it does not list use the defaults. */
    public TraceComparator withProfile(java.nio.file.Path file) {
        CalibratedProfile p = CalibratedProfile.read(file);
        return new TraceComparator(ref -> p.withFallback(ToleranceProfile.defaults(TraceDims.of(ref))), diagnosers,
                minCoverage);
    }

    public TraceComparator withDiagnosers(Diagnosers d) {
        return new TraceComparator(profileFor, d, minCoverage);
    }

    /**
     * A comparison that compares less than {@code fraction} (0..1) of the reference's steps does not pass
     * ({@link Comparison#coverageTooLow()}, exit 3). Whatever the minimum, a comparison must compare at least one
     * step.
     */
    public TraceComparator withMinCoverage(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("minimum coverage must be in 0..1, got " + fraction);
        }
        return new TraceComparator(profileFor, diagnosers, fraction);
    }

    public Comparison compare(Trace reference, Trace candidate) {
        Optional<String> why = Comparability.check(reference, candidate);
        if (why.isPresent()) {
            return Comparison.notComparable(reference, candidate, why.get());
        }
        ToleranceProfile profile = profileFor.apply(reference);
        boolean sketches = reference.sketch() != null && reference.sketch().equals(candidate.sketch());
        List<StepResult> results = new ArrayList<>();
        StepPrecision upstream = null;
        for (StepPair p : StepPairs.of(reference, candidate)) {
            Step r = p.reference();
            Step c = p.candidate();
            if (!p.inBoth()) {
                results.add(StepResult.onlyIn(p.name(), r, c));
                continue;
            }
            // a value computed after a coarser storage or accumulation carries its error: precision only coarsens
            StepPrecision here = StepPrecision.of(r, c, reference, candidate);
            upstream = upstream == null ? here : upstream.coarsest(here);
            // a last-row pair is held to the limits of one row: the element count of the last-row step
            Tolerance tol = profile.forStep(p.name(), upstream, p.lastRowOnly() ? p.partial().shape() : r.shape());
            StepMetrics m = p.lastRowOnly() ? LastRowMetrics.compare(p) : MetricCalculator.compare(r, c, sketches);
            StepJudge.Judgement j = StepJudge.judge(p, m, tol);
            results.add(new StepResult(p.name(), r, c, m, tol, j.verdict(), j.worst(), j.reason()));
        }
        Coverage coverage = Coverage.of(reference, results);
        if (coverage.compared() == 0) {
            return Comparison.notComparable(reference, candidate, coverage.nothingCompared(candidate), coverage);
        }
        Localizer.Localized loc = Localizer.localize(results);
        List<Diagnosis> diagnoses = diagnosers.run(
                new DiagnosisContext(reference, candidate, loc.steps(), loc.firstDivergence()));
        return new Comparison(reference, candidate, loc.steps(), loc.firstDivergence(), diagnoses, null,
                profile.describe(), notes(reference, candidate, sketches, loc.steps()), coverage, minCoverage);
    }

    private static boolean declaresReduced(Step s) {
        return s.accumulation() != null && s.accumulation().unitRoundoff()
                > StepPrecision.defaultAccumulation(s.dtype()).unitRoundoff();
    }

    private static List<String> notes(Trace ref, Trace cand, boolean sketches, List<StepResult> steps) {
        List<String> notes = new ArrayList<>();
        if (ref.dtype() != cand.dtype()) {
            notes.add("dtypes differ (reference " + ref.dtype().traceName() + ", candidate " + cand.dtype().traceName()
                    + "): tolerances use the coarser one");
        }
        if (!sketches) {
            notes.add("the traces do not share a sketch spec: no L2 error estimates");
        } else {
            int k = ref.sketch().k();
            notes.add("rel_l2 is estimated from k=" + k + " sketch entries (relative noise ~"
                    + Numbers.format(Math.round(SketchNoise.relativeNoise(k) * 1000) / 1000.0) + "); a step fails only "
                    + "above tolerance x " + Numbers.format(Math.round(SketchNoise.acceptFactor(k) * 100) / 100.0));
        }
        List<String> declared = steps.stream().filter(s -> s.inBoth() && (declaresReduced(s.reference())
                || declaresReduced(s.candidate()))).map(StepResult::name).toList();
        if (!declared.isEmpty()) {
            notes.add("reduced-precision accumulation declared at " + declared.size() + " step(s), first "
                    + declared.get(0) + ": their tolerances, and those of every later step, use that precision");
        }
        long low = steps.stream().filter(s -> s.verdict() == Verdict.LOW_CONFIDENCE).count();
        if (low > 0) {
            notes.add(low + " step(s) compared by their sums alone (low confidence: a sum hides cancellation)");
        }
        List<String> lastRow = steps.stream().filter(s -> s.metrics() != null && s.metrics().lastRow() != null)
                .map(StepResult::name).toList();
        if (!lastRow.isEmpty()) {
            notes.add("one trace records only the last row of " + String.join(", ", lastRow) + ": that row compared "
                    + "(low confidence)");
        }
        long skipped = steps.stream().filter(s -> !s.inBoth()).count();
        if (skipped > 0) {
            notes.add(skipped + " step(s) recorded in one trace only: listed, not compared");
        }
        if (ref.model() == null || ref.model().config() == null || cand.model() == null || cand.model().config() == null) {
            notes.add("a trace carries no model config: model equality not checked");
        }
        return notes;
    }
}
