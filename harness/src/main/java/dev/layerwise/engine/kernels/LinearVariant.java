package dev.layerwise.engine.kernels;

/**
 * How a projection is computed: the correct full-length float32 reduction ({@link #STANDARD}) or one of the bugs
 * that fault injection simulates (docs/fault-injection.md): the reduction stops {@code droppedColumns} inputs early,
 * or its running sum is rounded to half precision after every term.
 */
public record LinearVariant(int droppedColumns, boolean halfAccumulation) {
    public static final LinearVariant STANDARD = new LinearVariant(0, false);

    public LinearVariant {
        if (droppedColumns < 0) {
            throw new IllegalArgumentException("negative dropped column count " + droppedColumns);
        }
    }

    /** The inputs the reduction reads, of {@code in}. */
    public int columns(int in) {
        return in - droppedColumns;
    }
}
