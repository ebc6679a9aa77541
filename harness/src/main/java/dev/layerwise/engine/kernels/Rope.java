package dev.layerwise.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rotary position embedding in Llama's half-split form: {@code x * cos + rotate_half(x) * sin} with
 * {@code rotate_half(x) = cat(-x2, x1)} over the two halves of each head (not interleaved pairs).
 * Layout: element (t, h, d) of {@code x} at {@code (t * heads + h) * headDim + d}.
 */
public final class Rope {
    private static final VectorSpecies<Float> F = MatMulKernels.LANES;

    private Rope() {
    }

    /** Each multiply and the add round to the model dtype, as in a half-precision HF model. */
    public static void apply(float[] x, int tokens, int heads, int headDim, RopeTable table, float[] out, Precision p) {
        apply(x, 0, tokens, heads, headDim, table, RopeVariant.STANDARD, out, p);
    }

    /**
     * Tokens {@code from .. to-1} of {@link #apply(float[], int, int, int, RopeTable, float[], Precision)}, with a
     * {@link RopeVariant} (the standard half-split layout, or a planted fault).
     */
    public static void apply(float[] x, int from, int to, int heads, int headDim, RopeTable table, RopeVariant variant,
            float[] out, Precision p) {
        int half = headDim / 2;
        for (int t = from; t < to; t++) {
            int position = variant.position(t);
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                int vectorized = variant.interleaved() ? 0
                        : rotateVectors(x, base, half, table, position * half, out, p);
                for (int i = vectorized; i < half; i++) {
                    float c = table.cosF[position * half + i];
                    float s = table.sinF[position * half + i];
                    int a = base + variant.first(i, half);
                    int b = base + variant.second(i, half);
                    float x1 = x[a];
                    float x2 = x[b];
                    out[a] = p.round(p.round(x1 * c) + p.round(-x2 * s));
                    out[b] = p.round(p.round(x2 * c) + p.round(x1 * s));
                }
            }
        }
    }

    /**
     * The half-split rotation of one head for the whole vectors of {@code i < half} (each lane the scalar expression);
     * returns the first i left to the caller (0 where the dtype has no vector rounding).
     */
    private static int rotateVectors(float[] x, int base, int half, RopeTable table, int row, float[] out,
            Precision p) {
        if (!p.roundsVectors()) {
            return 0;
        }
        int i = 0;
        for (; i + F.length() <= half; i += F.length()) {
            FloatVector c = FloatVector.fromArray(F, table.cosF, row + i);
            FloatVector s = FloatVector.fromArray(F, table.sinF, row + i);
            FloatVector x1 = FloatVector.fromArray(F, x, base + i);
            FloatVector x2 = FloatVector.fromArray(F, x, base + half + i);
            p.round(p.round(x1.mul(c)).add(p.round(x2.neg().mul(s)))).intoArray(out, base + i);
            p.round(p.round(x2.mul(c)).add(p.round(x1.mul(s)))).intoArray(out, base + half + i);
        }
        return i;
    }

    public static void apply(double[] x, int tokens, int heads, int headDim, RopeTable table, double[] out) {
        apply(x, tokens, heads, headDim, table, RopeVariant.STANDARD, out);
    }

    public static void apply(double[] x, int tokens, int heads, int headDim, RopeTable table, RopeVariant variant,
            double[] out) {
        int half = headDim / 2;
        for (int t = 0; t < tokens; t++) {
            int position = variant.position(t);
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    double c = table.cosD[position * half + i];
                    double s = table.sinD[position * half + i];
                    int a = base + variant.first(i, half);
                    int b = base + variant.second(i, half);
                    double x1 = x[a];
                    double x2 = x[b];
                    out[a] = x1 * c + -x2 * s;
                    out[b] = x2 * c + x1 * s;
                }
            }
        }
    }
}
