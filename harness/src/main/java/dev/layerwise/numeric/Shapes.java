package dev.layerwise.numeric;

import java.util.Arrays;

/** The one routine that multiplies a shape out, so every reader and writer catches the same overflows. */
public final class Shapes {
    private Shapes() {
    }

    /**
     * The number of elements of a row-major tensor of this shape.
     *
     * @throws ArithmeticException when a dimension is negative or the product overflows a long
     */
    public static long elementCount(long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new ArithmeticException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * {@link #elementCount} for a buffer indexed by int.
     *
     * @throws ArithmeticException when the product does not fit an int
     */
    public static int intElementCount(long... shape) {
        return Math.toIntExact(elementCount(shape));
    }
}
