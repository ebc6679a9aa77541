package dev.layerwise.compare;

import dev.layerwise.numeric.DType;

/** Decides how far a candidate step may be from the reference's. */
public interface ToleranceProfile {

    /**
     * The tolerance for {@code step} given the precisions that bound it ({@link StepPrecision}: the coarsest storage
     * and accumulation of both traces up to this step).
     *
     * @param shape the step's shape (its element count sets the sum-only tolerance; its last axis is the
     *     reduction length of a step the model does not name)
     */
    Tolerance forStep(String step, StepPrecision precision, long[] shape);

    /** The tolerance for a step stored in {@code dtype} with the default accumulation. */
    default Tolerance forStep(String step, DType dtype, long[] shape) {
        return forStep(step, StepPrecision.of(dtype), shape);
    }

    /** One line for reports: where the tolerances come from. */
    String describe();

    /** The precision-derived defaults (docs/tolerances.md, {@link DefaultTolerances}). */
    static ToleranceProfile defaults(TraceDims dims) {
        return new DefaultTolerances(dims);
    }
}
