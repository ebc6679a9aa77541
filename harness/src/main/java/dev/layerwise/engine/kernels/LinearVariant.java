package dev.layerwise.engine.kernels;

import dev.layerwise.numeric.DType;

/**
 * How a projection is computed: the correct full-length float32 reduction ({@link #STANDARD}) or one of the bugs
 * that fault injection simulates (docs/fault-injection.md): the reduction stops {@code droppedColumns} inputs early,
 * or its running sum is rounded to {@code halfAccumulator} (float16 or bfloat16; null: float32) after every term.
 */
public record LinearVariant(int droppedColumns, DType halfAccumulator) {
    public static final LinearVariant STANDARD = new LinearVariant(0, null);

    public LinearVariant {
        if (droppedColumns < 0) {
            throw new IllegalArgumentException("negative dropped column count " + droppedColumns);
        }
        if (halfAccumulator != null && halfAccumulator != DType.FLOAT16 && halfAccumulator != DType.BFLOAT16) {
            throw new IllegalArgumentException("not a half-precision accumulator: " + halfAccumulator);
        }
    }

    /** True when the running sum is rounded to {@link #halfAccumulator()} after every term. */
    public boolean halfAccumulation() {
        return halfAccumulator != null;
    }

    /** The inputs the reduction reads, of {@code in}. */
    public int columns(int in) {
        return in - droppedColumns;
    }
}
