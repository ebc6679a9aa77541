package dev.layerwise.engine.kernels;

/**
 * Rotary position embedding in Llama's half-split form: {@code x * cos + rotate_half(x) * sin} with
 * {@code rotate_half(x) = cat(-x2, x1)} over the two halves of each head (not interleaved pairs).
 * Layout: element (t, h, d) of {@code x} at {@code (t * heads + h) * headDim + d}.
 */
public final class Rope {
    private Rope() {
    }

    /** Each multiply and the add round to the model dtype, as in a half-precision HF model. */
    public static void apply(float[] x, int tokens, int heads, int headDim, RopeTable table, float[] out, Precision p) {
        apply(x, 0, tokens, heads, headDim, table, out, p);
    }

    /** {@link #apply(float[], int, int, int, RopeTable, float[], Precision)} of tokens {@code from .. to-1}. */
    public static void apply(float[] x, int from, int to, int heads, int headDim, RopeTable table, float[] out,
            Precision p) {
        int half = headDim / 2;
        for (int t = from; t < to; t++) {
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float c = table.cosF[t * half + i];
                    float s = table.sinF[t * half + i];
                    float x1 = x[base + i];
                    float x2 = x[base + half + i];
                    out[base + i] = p.round(p.round(x1 * c) + p.round(-x2 * s));
                    out[base + half + i] = p.round(p.round(x2 * c) + p.round(x1 * s));
                }
            }
        }
    }

    public static void apply(double[] x, int tokens, int heads, int headDim, RopeTable table, double[] out) {
        int half = headDim / 2;
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    double c = table.cosD[t * half + i];
                    double s = table.sinD[t * half + i];
                    double x1 = x[base + i];
                    double x2 = x[base + half + i];
                    out[base + i] = x1 * c + -x2 * s;
                    out[base + half + i] = x2 * c + x1 * s;
                }
            }
        }
    }
}
