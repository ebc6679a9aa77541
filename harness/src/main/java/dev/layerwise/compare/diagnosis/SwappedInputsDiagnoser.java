package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.MetricCalculator;
import dev.layerwise.compare.StepJudge;
import dev.layerwise.compare.StepMetrics;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.Verdict;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.Step;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The divergent candidate step matches, within the step's tolerance, a different step of the reference with the
 * same shape (e.g. the candidate's gate is the reference's up): inputs or weights swapped. Steps of the same layer
 * are tried first.
 */
public final class SwappedInputsDiagnoser implements PatternDiagnoser {
    @Override
    public Optional<Diagnosis> match(StepResult div, DiagnosisContext ctx) {
        Step x = div.candidate();
        if (x == null || div.reference() == null || div.tolerance() == null) {
            return Optional.empty();
        }
        int layer = CanonicalSteps.layerOf(x.name());
        Optional<Diagnosis> same = search(div, ctx, layer, true);
        return same.isPresent() ? same : search(div, ctx, layer, false);
    }

    private Optional<Diagnosis> search(StepResult div, DiagnosisContext ctx, int layer, boolean sameLayer) {
        Step x = div.candidate();
        for (Step y : ctx.reference().steps()) {
            if (y.name().equals(x.name()) || !Arrays.equals(y.shape(), x.shape())
                    || (CanonicalSteps.layerOf(y.name()) == layer) != sameLayer
                    || StaleBufferDiagnoser.identical(y, div.reference()) != null) {
                continue;
            }
            if (!matches(y, x, div, ctx)) {
                continue;
            }
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("matches_reference_step", y.name());
            String vice = "";
            Step candY = ctx.candidateStep(y.name());
            if (candY != null && matches(div.reference(), candY, div, ctx)) {
                vice = ", and its `" + y.name() + "` matches the reference's `" + x.name() + "`";
                ev.put("vice_versa", true);
            }
            return Optional.of(new Diagnosis(DiagnosisCode.SWAPPED_INPUTS, x.name(), "the candidate's `" + x.name()
                    + "` matches the reference's `" + y.name() + "`" + vice + ": inputs or weights swapped", ev));
        }
        return Optional.empty();
    }

    private static boolean matches(Step ref, Step cand, StepResult div, DiagnosisContext ctx) {
        if (ref.sha256() != null && ref.sha256().equals(cand.sha256())) {
            return true;
        }
        StepMetrics m = MetricCalculator.compare(ref, cand, ctx.sketchesComparable());
        if (m.relL2() == null && m.sumDev() == null) {
            return false; // sums alone cannot tell two steps apart
        }
        Verdict v = StepJudge.judge(m, div.tolerance()).verdict();
        return v == Verdict.PASS || v == Verdict.MARGINAL;
    }
}
