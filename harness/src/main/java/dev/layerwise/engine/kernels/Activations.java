package dev.layerwise.engine.kernels;

/**
 * Elementwise ops of the MLP and the residual stream: each result computed in float32, then rounded to the model dtype
 * ({@link Precision#round(float[], int, int)}, a vector at a time for bfloat16).
 */
public final class Activations {
    private Activations() {
    }

    /** silu(x) = x / (1 + exp(-x)), computed in float32 and rounded once to the model dtype. */
    public static void silu(float[] x, int n, float[] out, Precision p) {
        silu(x, 0, n, out, p);
    }

    /**
     * {@link #silu(float[], int, float[], Precision)} of elements {@code from .. to-1} only: the same float
     * arithmetic as {@code p.round(v / (1f + (float) Math.exp(-v)))} element by element, with the exponentials
     * computed a vector at a time ({@link FloatExp}, bit for bit the scalar ones).
     */
    public static void silu(float[] x, int from, int to, float[] out, Precision p) {
        float[] exp = new float[FloatExp.CHUNK];
        double[] scratch = new double[FloatExp.CHUNK];
        for (int c = from; c < to; c += FloatExp.CHUNK) {
            int n = Math.min(FloatExp.CHUNK, to - c);
            for (int j = 0; j < n; j++) {
                exp[j] = -x[c + j];
            }
            FloatExp.inPlace(exp, 0, n, scratch);
            // x may be out: each element is read before it is written
            for (int j = 0; j < n; j++) {
                out[c + j] = x[c + j] / (1f + exp[j]);
            }
            p.round(out, c, c + n);
        }
    }

    public static void silu(double[] x, int n, double[] out) {
        for (int i = 0; i < n; i++) {
            double v = x[i];
            out[i] = v / (1 + Math.exp(-v));
        }
    }

    public static void multiply(float[] a, float[] b, int n, float[] out, Precision p) {
        multiply(a, b, 0, n, out, p);
    }

    public static void multiply(float[] a, float[] b, int from, int to, float[] out, Precision p) {
        for (int i = from; i < to; i++) {
            out[i] = a[i] * b[i];
        }
        p.round(out, from, to);
    }

    public static void multiply(double[] a, double[] b, int n, double[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = a[i] * b[i];
        }
    }

    public static void add(float[] a, float[] b, int n, float[] out, Precision p) {
        add(a, b, 0, n, out, p);
    }

    public static void add(float[] a, float[] b, int from, int to, float[] out, Precision p) {
        for (int i = from; i < to; i++) {
            out[i] = a[i] + b[i];
        }
        p.round(out, from, to);
    }

    public static void add(double[] a, double[] b, int n, double[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = a[i] + b[i];
        }
    }
}
