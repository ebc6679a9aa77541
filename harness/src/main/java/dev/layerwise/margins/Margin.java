package dev.layerwise.margins;

import dev.layerwise.compare.Check;
import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.StepJudge;
import dev.layerwise.compare.StepResult;
import java.util.Locale;

/**
 * How far a step, or the worst step of a comparison, is from its tolerance: the largest {@code value / limit}
 * over the metrics both traces carry (1.0 = at tolerance; a sketch estimate fails only beyond its noise band).
 * A bit-identical step has ratio 0; a step where the candidate alone is non-finite has ratio infinity.
 *
 * @param step the step, or null when nothing was compared
 * @param metric the metric of the worst check ("non-finite values", "bit-identical")
 * @param value that metric's value (0 when bit-identical or not compared, infinity when non-finite)
 */
public record Margin(String step, String metric, double ratio, double value) {

    /** The margin of one step of a comparison. */
    public static Margin of(StepResult r) {
        if (!r.inBoth() || r.metrics() == null || r.tolerance() == null) {
            return new Margin(r.name(), "not compared", 0, 0);
        }
        if (Boolean.TRUE.equals(r.metrics().bitIdentical())) {
            return new Margin(r.name(), "bit-identical", 0, 0);
        }
        Long cn = r.metrics().candNonFinite();
        Long rn = r.metrics().refNonFinite();
        if (cn != null && cn > 0 && !cn.equals(rn)) {
            return new Margin(r.name(), "non-finite values", Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
        }
        Margin worst = new Margin(r.name(), "none", 0, 0);
        for (Check c : StepJudge.checks(r.metrics(), r.tolerance())) {
            if (c.excess() > worst.ratio || worst.metric.equals("none")) {
                worst = new Margin(r.name(), c.metric(), c.excess(), c.value());
            }
        }
        return worst;
    }

    /** The worst step of a comparison (every step both traces record). */
    public static Margin worst(Comparison c) {
        Margin worst = new Margin(null, "nothing compared", 0, 0);
        for (StepResult r : c.steps()) {
            Margin m = of(r);
            if (worst.step == null || m.ratio > worst.ratio) {
                worst = m;
            }
        }
        return worst;
    }

    /** A ratio as the margin tables print it: 3 significant digits, "0", "inf". */
    public static String format(double r) {
        if (Double.isInfinite(r)) {
            return "inf";
        }
        if (r == 0) {
            return "0";
        }
        return r >= 100 ? String.format(Locale.ROOT, "%.3g", r).replace("e+0", "e").replace("e+", "e")
                : String.format(Locale.ROOT, "%.3g", r);
    }

    /** The margin at the comparison's first divergence, or its worst step when it has none. */
    public static Margin atDivergence(Comparison c) {
        if (c.firstDivergence() == null) {
            return worst(c);
        }
        return of(c.step(c.firstDivergence()).orElseThrow());
    }
}
