package dev.layerwise.compare;

import dev.layerwise.LayerwiseException;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives per-step tolerances from two trusted references of the same model and input (e.g. Hugging Face eager vs
 * sdpa): observed deviation x margin, never below the dtype's floor ({@link DefaultTolerances#floor}). The sketch
 * estimate can under-read the true distance, so its observation is also scaled by the sketch's noise band.
 */
public final class Calibrator {
    public static final double DEFAULT_MARGIN = 3.0;

    private Calibrator() {
    }

    public static CalibratedProfile calibrate(Trace a, Trace b, double margin) {
        if (!(margin >= 1) || Double.isInfinite(margin)) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "--margin: expected a finite number >= 1, got "
                    + margin);
        }
        Comparability.check(a, b).ifPresent(why -> {
            throw new LayerwiseException(LayerwiseException.NOT_COMPARABLE, "not comparable: " + why);
        });
        DefaultTolerances defaults = new DefaultTolerances(TraceDims.of(a));
        boolean sketches = a.sketch() != null && a.sketch().equals(b.sketch());
        Map<String, Tolerance> out = new LinkedHashMap<>();
        DType coarsest = DType.coarsest(a.dtype(), b.dtype());
        for (StepPair p : StepPairs.of(a, b)) {
            if (!p.inBoth() || p.lastRowOnly()) {
                continue; // one row of a step is too little to calibrate on: the defaults apply
            }
            String name = p.name();
            Step sa = p.reference();
            Step sb = p.candidate();
            DType dtype = DType.coarsest(sa.dtype(), sb.dtype(), coarsest);
            StepMetrics m = MetricCalculator.compare(sa, sb, sketches);
            if (m.candNonFinite() > 0 || m.refNonFinite() > 0) {
                throw new LayerwiseException(LayerwiseException.BAD_INPUT, "step " + name + " has non-finite values in a "
                        + "trusted reference: cannot calibrate on it");
            }
            Tolerance floor = defaults.floor(name, dtype);
            Tolerance fallback = defaults.forStep(name, dtype, sa.shape());
            double noise = m.sketchK() > 0 ? SketchNoise.acceptFactor(m.sketchK()) : 1;
            double sumOnlyObserved = Math.abs(sb.stats().sum() - sa.stats().sum())
                    / Math.max(Math.abs(sa.stats().sum()), MetricCalculator.TINY);
            Double row = m.hasRows() ? max(m.maxRowNormDev(), m.maxRowSumDev()) : null;
            out.put(name, new Tolerance(
                    pick(m.relL2() == null ? null : m.relL2() * noise, margin, floor.relL2(), fallback.relL2()),
                    pick(m.sumDev(), margin, floor.sum(), fallback.sum()),
                    pick(m.normDev(), margin, floor.norm(), fallback.norm()),
                    pick(row, margin, floor.row(), fallback.row()),
                    pick(sumOnlyObserved, margin, floor.sumOnly(), fallback.sumOnly())));
        }
        return new CalibratedProfile(coarsest, margin, List.of(a.label(), b.label()), out, null, "calibrated");
    }

    private static double pick(Double observed, double margin, double floor, double fallback) {
        if (observed == null) {
            return fallback;
        }
        return Math.max(floor, observed * margin);
    }

    private static Double max(Double a, Double b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : Math.max(a, b);
    }
}
