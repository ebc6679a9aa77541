package dev.layerwise.engine.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code (float) Math.exp(x)} for many floats at once, bit for bit the scalar expression (the softmax and SiLU use
 * it; their results must not depend on the vector width).
 *
 * <p>How: the floats are widened to double and exponentiated with the Vector API, whose {@code EXP} keeps
 * {@code Math.exp}'s accuracy (within 1 ulp of the exact value), then rounded to float. {@code Math.exp} is also
 * within 1 ulp, so the two doubles lie within about 2^-51 of each other, relatively, and round to the same float
 * unless a float rounding boundary lies between them. Each value checks that no boundary lies within 2^-45 of its
 * double (the float of {@code d * (1 - 2^-45)} equals that of {@code d * (1 + 2^-45)}; rounding is monotonic, so
 * everything between rounds alike); a value that fails (about one in a million) or is NaN is computed by the scalar
 * expression instead.
 */
final class FloatExp {
    /** Values exponentiated at a time: the length of the double scratch array a caller provides. */
    static final int CHUNK = 512;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final double BELOW = 1 - 0x1p-45;
    private static final double ABOVE = 1 + 0x1p-45;

    private FloatExp() {
    }

    /** {@code a[i] = (float) Math.exp(a[i])} for i in [from, to); {@code scratch} holds at least {@link #CHUNK}. */
    static void inPlace(float[] a, int from, int to, double[] scratch) {
        // x - 0f is x for every x but NaN, whose exponential is NaN either way
        shiftedInPlace(a, from, to, 0f, scratch);
    }

    /**
     * The softmax's numerators: {@code a[i] = (float) Math.exp(a[i] - shift)}, the difference taken in float, for i
     * in [from, to) (one pass instead of a subtraction pass and an exponential pass).
     */
    static void shiftedInPlace(float[] a, int from, int to, float shift, double[] scratch) {
        int lanes = D.length();
        for (int c = from; c < to; c += CHUNK) {
            int n = Math.min(CHUNK, to - c);
            for (int j = 0; j < n; j++) {
                scratch[j] = a[c + j] - shift;
            }
            int j = 0;
            for (; j + lanes <= n; j += lanes) {
                DoubleVector.fromArray(D, scratch, j).lanewise(VectorOperators.EXP).intoArray(scratch, j);
            }
            for (; j < n; j++) {
                scratch[j] = Math.exp(scratch[j]);
            }
            for (j = 0; j < n; j++) {
                double d = scratch[j];
                a[c + j] = (float) (d * BELOW) == (float) (d * ABOVE) ? (float) d : (float) Math.exp(a[c + j] - shift);
            }
        }
    }
}
