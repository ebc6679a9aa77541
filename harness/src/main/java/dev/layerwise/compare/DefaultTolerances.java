package dev.layerwise.compare;

import dev.layerwise.numeric.DType;
import dev.layerwise.numeric.Shapes;

/**
 * Tolerances derived from where rounding happens (docs/tolerances.md, "The default tolerance").
 *
 * <pre>
 * base(step) = sqrt( u_s^2 + u_a^2 * n_eff / 9 ) * sqrt(1 + depth)
 *   rel_l2          6 * base
 *   rows, sum       3 * base
 *   norm            sqrt( (0.6 * base)^2 + (3 * u_s)^2 )
 * </pre>
 *
 * u_s is the unit roundoff of the coarsest storage behind the step, u_a that of the coarsest accumulation, n_eff the
 * longest reduction behind the step (at least the hidden size past the embedding), depth the number of layers the value went
 * through. The storage term is one rounding of the output per op, and the error two correct engines show grows like
 * a random walk over the layers; the accumulation term is the probabilistic bound for a float32 (or declared)
 * accumulator over n_eff terms. The constants are set from the clean spread of correct engines measured in
 * docs/tolerances.md, at 2-4 times the largest deviation seen.
 */
public final class DefaultTolerances implements ToleranceProfile {
    /** rel_l2 limit in units of the base (the clean spread reaches about 2.2 base in float16/bfloat16). */
    public static final double REL_L2 = 6.0;
    /** Per-row and sum limits in units of the base (the clean spread reaches about 1.1 base). */
    public static final double ROW = 3.0;
    /** Share of the base that unbiased rounding noise can move a norm by. */
    public static final double NORM = 0.6;
    /**
     * Systematic rounding allowance for norms, in units of u_s: a directed rounding (a truncating conversion, or an
     * engine rounding every output up) biases each op's output by about u_s, and a chain of them (gate, silu, gated,
     * down projection) moves a norm by about 2 u_s; an approximate rsqrt or exp by less.
     */
    public static final double NORM_SYSTEMATIC = 3.0;
    /** The accumulation term: an accumulator's error over n terms is about u_a * sqrt(n) / 3 of the result. */
    public static final double ACCUMULATION = 1.0 / 3.0;
    /** Sum-only pairs (both sides carry sums alone): C * u * sqrt(element count) * sqrt(1 + depth). */
    public static final double SUM_ONLY = 2.0;

    private final TraceDims dims;

    public DefaultTolerances(TraceDims dims) {
        this.dims = dims;
    }

    @Override
    public Tolerance forStep(String step, StepPrecision precision, long[] shape) {
        double growth = Math.sqrt(1.0 + dims.depth(step));
        double us = precision.storage().unitRoundoff();
        double ua = precision.accumulation().unitRoundoff();
        double nEff = effectiveReduction(step, shape);
        double base = Math.sqrt(us * us + ua * ua * nEff * ACCUMULATION * ACCUMULATION) * growth;
        double norm = Math.hypot(NORM * base, NORM_SYSTEMATIC * us);
        double sumOnly = SUM_ONLY * us * Math.sqrt(Math.max(1, Shapes.elementCount(shape))) * growth;
        // A sum adds a biased rounding (an engine that rounds every output up by an ulp) coherently, and averaging steps
        // (the attention context) shrink the sum's scale, not the bias: sums get the row limit, not the norm's.
        return new Tolerance(REL_L2 * base, ROW * base, norm, ROW * base, sumOnly);
    }

    /**
     * The longest accumulation whose error reaches the step: the longest reduction behind it (the step's last axis
     * when the model does not name it) or, past the embedding, the hidden size of the projections every value after
     * the first layer passes through, whichever is longer.
     */
    long effectiveReduction(String step, long[] shape) {
        long own = dims.reductionLength(step);
        if (own <= 0) {
            own = Math.max(1, shape[shape.length - 1]);
        }
        return dims.depth(step) == 0 ? own : Math.max(own, dims.model().hidden());
    }

    /** The smallest tolerance rounding alone justifies (no reduction): the floor under calibrated tolerances. */
    public Tolerance floor(String step, DType dtype) {
        double t = SUM_ONLY * dtype.unitRoundoff() * Math.sqrt(1.0 + dims.depth(step));
        return Tolerance.uniform(t, t);
    }

    @Override
    public String describe() {
        return "default: base = sqrt(u_s^2 + u_a^2 * n_eff / 9) * sqrt(1 + depth); rel_l2 6 base, rows and sum "
                + "3 base, norm sqrt((0.6 base)^2 + (3 u_s)^2)";
    }
}
