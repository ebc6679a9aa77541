package dev.layerwise.compare;

import dev.layerwise.numeric.DType;

/**
 * tol = C * u * sqrt(n_reduce) * sqrt(1 + depth): u the unit roundoff of the coarser dtype, n_reduce the longest
 * reduction behind the step (hidden size for projections and norms, intermediate size for ffn_out, T * D for
 * attention), depth the number of layers the value went through. The sum-only tolerance replaces n_reduce by the
 * element count. Justification: docs/tolerances.md.
 */
public final class DefaultTolerances implements ToleranceProfile {
    /** Safety factor on the probabilistic rounding-error bound (lambda in Higham and Mary's bound). */
    public static final double C = 2.0;

    private final TraceDims dims;

    public DefaultTolerances(TraceDims dims) {
        this.dims = dims;
    }

    @Override
    public Tolerance forStep(String step, DType dtype, long[] shape) {
        double growth = Math.sqrt(1.0 + dims.depth(step));
        double u = dtype.unitRoundoff();
        long n = dims.reductionLength(step);
        if (n <= 0) {
            n = Math.max(1, shape[shape.length - 1]);
        }
        long elements = 1;
        for (long d : shape) {
            elements *= d;
        }
        double t = C * u * Math.sqrt(n) * growth;
        double sumOnly = C * u * Math.sqrt(Math.max(1, elements)) * growth;
        return Tolerance.uniform(t, sumOnly);
    }

    /** The smallest tolerance rounding alone justifies (no reduction): the floor under calibrated tolerances. */
    public Tolerance floor(String step, DType dtype) {
        double t = C * dtype.unitRoundoff() * Math.sqrt(1.0 + dims.depth(step));
        return Tolerance.uniform(t, t);
    }

    @Override
    public String describe() {
        return "default: " + C + " * u * sqrt(n_reduce) * sqrt(1 + depth)";
    }
}
