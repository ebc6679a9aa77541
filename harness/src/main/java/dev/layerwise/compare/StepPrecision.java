package dev.layerwise.compare;

import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.Objects;

/**
 * The precisions that bound how well a step can agree between two correct engines: the coarsest dtype its values
 * (or any value before it in the pass) were stored in, and the coarsest precision its reductions (or any before it)
 * accumulated in. Both traces count: a float16 candidate against a float32 reference is judged in float16 terms.
 *
 * @param storage coarsest storage dtype so far, from steps' and traces' dtypes
 * @param accumulation coarsest accumulation precision so far: declared by a trace ({@code "accumulation"} of a step),
 *     else {@link #defaultAccumulation(DType)} of the storage
 */
public record StepPrecision(DType storage, DType accumulation) {

    public StepPrecision {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(accumulation, "accumulation");
    }

    /** A step stored in {@code storage} whose reductions accumulated in the default precision. */
    public static StepPrecision of(DType storage) {
        return new StepPrecision(storage, defaultAccumulation(storage));
    }

    /**
     * What a producer that says nothing is assumed to accumulate in: float32 for float32, float16 and bfloat16 values
     * (Hugging Face, cuBLAS, llama.cpp and the Java engine all do), float64 for float64. An engine that accumulates
     * in half precision must declare it, or its larger error is a divergence (HALF_PRECISION_ACCUMULATION).
     */
    public static DType defaultAccumulation(DType storage) {
        return storage == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
    }

    /**
     * What one pair of steps says about precision: the coarsest of both steps' and both traces' dtypes, and the
     * coarsest of both steps' declared accumulations (the default for that storage where a step declares none).
     */
    public static StepPrecision of(Step reference, Step candidate, Trace referenceTrace, Trace candidateTrace) {
        DType storage = DType.coarsest(reference.dtype(), candidate.dtype(), referenceTrace.dtype(),
                candidateTrace.dtype());
        DType accumulation = defaultAccumulation(storage);
        for (Step s : new Step[] {reference, candidate}) {
            if (s.accumulation() != null) {
                accumulation = DType.coarsest(accumulation, s.accumulation());
            }
        }
        return new StepPrecision(storage, accumulation);
    }

    /** The coarser of this and another step's precisions, field by field. */
    public StepPrecision coarsest(StepPrecision other) {
        return new StepPrecision(DType.coarsest(storage, other.storage), DType.coarsest(accumulation, other.accumulation));
    }

    /** True when the accumulation is coarser than the default for the storage (a declared reduced precision). */
    public boolean reducedAccumulation() {
        return accumulation.unitRoundoff() > defaultAccumulation(storage).unitRoundoff();
    }
}
