package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.SketchNoise;
import dev.layerwise.compare.StepMetrics;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.Tolerance;
import dev.layerwise.trace.StepKind;
import dev.layerwise.trace.Step;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Attention probabilities with the causal mask in place (at least its nH * T(T-1)/2 exact zeros; a sharper
 * softmax may underflow more entries to 0 in half precision) and every row still summing to 1 (the sum is kept),
 * but every head sharper (norm up) or every head flatter (norm down) than the reference's beyond the step's
 * tolerance: the scores were scaled by the wrong factor before the softmax (a missing or doubled {@code D^-0.5},
 * a wrong softmax temperature). Rows of {@code attn_probs} are heads.
 */
public final class AttentionScaleDiagnoser implements PatternDiagnoser {
    @Override
    public Optional<Diagnosis> match(StepResult div, DiagnosisContext ctx) {
        Step ref = div.reference();
        Step cand = div.candidate();
        StepMetrics m = div.metrics();
        Tolerance tol = div.tolerance();
        if (!StepKind.ATTN_PROBS.is(div.name()) || ref == null || cand == null || m == null
                || tol == null || m.normRatio() == null || m.sumDev() == null) {
            return Optional.empty();
        }
        if (cand.stats().zeros() == null || cand.shape().length != 3 || cand.stats().zeros() < masked(cand)
                || m.sumDev() > tol.sum() || Math.abs(m.normRatio() - 1) <= tol.norm()) {
            return Optional.empty();
        }
        if (m.relL2() != null && !(m.relL2() > tol.relL2() * SketchNoise.acceptFactor(m.sketchK()))) {
            return Optional.empty();
        }
        double[] refRows = ref.rowSumSq();
        double[] candRows = cand.rowSumSq();
        boolean sharper = m.normRatio() > 1;
        if (refRows != null && candRows != null && refRows.length == candRows.length) {
            for (int h = 0; h < refRows.length; h++) {
                double ratio = Math.sqrt(candRows[h] / refRows[h]);
                if (Math.abs(ratio - 1) <= tol.norm() || (ratio > 1) != sharper) {
                    return Optional.empty();
                }
            }
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("norm_ratio", m.normRatio());
        ev.put("sum_dev", m.sumDev());
        ev.put("zeros", cand.stats().zeros());
        return Optional.of(new Diagnosis(DiagnosisCode.ATTENTION_SCALE, div.name(), "attention probabilities "
                + (sharper ? "sharper" : "flatter") + " than the reference in every head (norm ratio "
                + Numbers.format(m.normRatio()) + ") with the same causal mask and every row still summing to 1: "
                + "the scores were scaled by the wrong factor before the softmax (" + (sharper
                        ? "missing D^-0.5 scale, or scaled too little" : "scaled twice or by 1/D") + ")", ev));
    }

    private static long masked(Step probs) {
        long t = probs.shape()[1];
        return probs.shape()[0] * t * (t - 1) / 2;
    }
}
