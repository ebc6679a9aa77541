package dev.layerwise.compare;

import dev.layerwise.numeric.DType;

/** Decides how far a candidate step may be from the reference's. */
public interface ToleranceProfile {

    /**
     * The tolerance for {@code step} when the coarser of the two traces' dtypes for it is {@code dtype}.
     *
     * @param shape the step's shape (its element count sets the sum-only tolerance; its last axis is the
     *     reduction length of a step the model does not name)
     */
    Tolerance forStep(String step, DType dtype, long[] shape);

    /** One line for reports: where the tolerances come from. */
    String describe();

    /** The dtype-derived default: c * u * sqrt(n_reduce) * sqrt(1 + depth) (docs/tolerances.md). */
    static ToleranceProfile defaults(TraceDims dims) {
        return new DefaultTolerances(dims);
    }
}
