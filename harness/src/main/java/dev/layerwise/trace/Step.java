package dev.layerwise.trace;

import dev.layerwise.numeric.DType;
import dev.layerwise.numeric.Shapes;
import java.util.Arrays;
import java.util.Objects;

/**
 * One recorded step of a forward pass. {@code rowSums}, {@code rowSumSq}, {@code sketch} and
 * {@code sha256} are null when the producer did not record them.
 *
 * @param dtype the dtype the step's values were stored in
 * @param accumulation the precision the producer declares its reductions for this step accumulated in, when it says
 *     so (e.g. float16 for a kernel with half-precision accumulators); null when not declared (docs/trace-format.md)
 */
public record Step(
        String name,
        long[] shape,
        DType dtype,
        Stats stats,
        double[] rowSums,
        double[] rowSumSq,
        double[] sketch,
        String sha256,
        DType accumulation) {

    public Step {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(stats, "stats");
    }

    /** A step whose producer declares no accumulation precision. */
    public Step(String name, long[] shape, DType dtype, Stats stats, double[] rowSums, double[] rowSumSq,
            double[] sketch, String sha256) {
        this(name, shape, dtype, stats, rowSums, rowSumSq, sketch, sha256, null);
    }

    /** The same step with a declared accumulation precision. */
    public Step withAccumulation(DType precision) {
        return new Step(name, shape, dtype, stats, rowSums, rowSumSq, sketch, sha256, precision);
    }

    /** Product of the shape. */
    public long elementCount() {
        return Shapes.elementCount(shape);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** The same step with the given {@code sha256}. */
    public Step withSha256(String hash) {
        return new Step(name, shape, dtype, stats, rowSums, rowSumSq, sketch, hash, accumulation);
    }

    public Step withName(String newName) {
        return new Step(newName, shape, dtype, stats, rowSums, rowSumSq, sketch, sha256, accumulation);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Step s && name.equals(s.name) && Arrays.equals(shape, s.shape) && dtype == s.dtype
                && stats.equals(s.stats) && Arrays.equals(rowSums, s.rowSums)
                && Arrays.equals(rowSumSq, s.rowSumSq) && Arrays.equals(sketch, s.sketch)
                && Objects.equals(sha256, s.sha256) && accumulation == s.accumulation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), dtype, stats, sha256);
    }

    @Override
    public String toString() {
        return "Step[" + name + " " + shapeString() + " " + dtype.traceName() + " sum=" + stats.sum() + "]";
    }
}
