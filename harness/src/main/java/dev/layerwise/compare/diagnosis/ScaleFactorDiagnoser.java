package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.MetricCalculator;
import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.SketchNoise;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.Tolerance;
import dev.layerwise.trace.Step;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The candidate is a constant multiple c of the reference: the sketch's least-squares ratio, the norm ratio and the
 * sum ratio agree on c, and cand - c * ref is within tolerance (a missing attention scale, norm weight, embedding
 * scale). Without sketches, the per-row norm ratios must all agree on |c| instead.
 */
public final class ScaleFactorDiagnoser implements PatternDiagnoser {
    @Override
    public Optional<Diagnosis> match(StepResult div, DiagnosisContext ctx) {
        Step ref = div.reference();
        Step cand = div.candidate();
        Tolerance tol = div.tolerance();
        if (ref == null || cand == null || tol == null || div.metrics() == null || div.metrics().normRatio() == null
                || ref.stats().sumSq() == null || ref.stats().sumSq() == 0) {
            return Optional.empty();
        }
        double normRatio = div.metrics().normRatio();
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("norm_ratio", normRatio);
        double c;
        if (ctx.sketchesComparable() && ref.sketch() != null && cand.sketch() != null) {
            double[] a = ref.sketch();
            double[] b = cand.sketch();
            double ab = 0;
            double aa = 0;
            for (int j = 0; j < a.length; j++) {
                ab += a[j] * b[j];
                aa += a[j] * a[j];
            }
            if (aa == 0) {
                return Optional.empty();
            }
            c = ab / aa;
            double[] scaled = new double[a.length];
            for (int j = 0; j < a.length; j++) {
                scaled[j] = c * a[j];
            }
            double noise = SketchNoise.acceptFactor(a.length);
            double residual = MetricCalculator.sketchDistance(scaled, b) / (Math.abs(c) * Math.sqrt(ref.stats().sumSq()));
            ev.put("sketch_ratio", c);
            ev.put("residual_rel_l2", residual);
            if (!(residual <= tol.relL2() * noise) || Math.abs(normRatio / Math.abs(c) - 1) > tol.relL2() * noise) {
                return Optional.empty();
            }
        } else {
            double sign = Math.signum(cand.stats().sum()) * Math.signum(ref.stats().sum());
            c = (sign == 0 ? 1 : sign) * normRatio;
            if (!rowsAgree(ref, cand, Math.abs(c), tol.row())) {
                return Optional.empty();
            }
        }
        // the norm is exact and its tolerance the tightest: a factor whose norm ratio is within it is no factor
        if (Math.abs(c) <= tol.relL2() || Math.abs(normRatio - 1) <= tol.norm()) {
            return Optional.empty();
        }
        if (ref.stats().absSum() != null && ref.stats().absSum() > 0) {
            double sumResidual = Math.abs(cand.stats().sum() - c * ref.stats().sum()) / (Math.abs(c) * ref.stats().absSum());
            ev.put("sum_residual", sumResidual);
            if (sumResidual > tol.sum()) {
                return Optional.empty();
            }
        }
        ev.put("factor", c);
        return Optional.of(new Diagnosis(DiagnosisCode.SCALE_FACTOR, div.name(), "candidate ≈ " + Numbers.format(c)
                + " × reference (norm ratio " + Numbers.format(normRatio) + "): a missing or extra constant factor "
                + "(attention scale, norm weight, embedding scale)", ev));
    }

    private static boolean rowsAgree(Step ref, Step cand, double c, double limit) {
        if (ref.rowSumSq() == null || cand.rowSumSq() == null) {
            return false;
        }
        for (int r = 0; r < ref.rowSumSq().length; r++) {
            double a = Math.sqrt(ref.rowSumSq()[r]);
            double b = Math.sqrt(cand.rowSumSq()[r]);
            if (a > 0 && Math.abs(b / a / c - 1) > limit) {
                return false;
            }
        }
        return true;
    }
}
