package dev.layerwise.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** RMSNorm over the last axis: {@code y = weight * (x / sqrt(mean(x^2) + eps))}. */
public final class RmsNorm {
    private static final VectorSpecies<Float> F = MatMulKernels.LANES;

    private RmsNorm() {
    }

    /**
     * As Hugging Face computes it in a half model: x^2 and the variance in float32, {@code 1 / sqrt} in
     * float32, {@code x * r} rounded to the model dtype, then {@code weight * that} rounded again.
     * {@code weight} holds the norm weight already cast to the model dtype.
     */
    public static void apply(float[] x, int rows, int cols, float[] weight, double eps, float[] out, Precision p) {
        apply(x, 0, rows, cols, weight, eps, out, p);
    }

    /** {@link #apply(float[], int, int, float[], double, float[], Precision)} of rows {@code from .. to-1}. */
    public static void apply(float[] x, int from, int to, int cols, float[] weight, double eps, float[] out,
            Precision p) {
        apply(x, from, to, cols, cols, weight, eps, out, p);
    }

    /** As above, the mean of squares taken as the sum over {@code meanOver} (cols, unless a fault is planted). */
    public static void apply(float[] x, int from, int to, int cols, int meanOver, float[] weight, double eps,
            float[] out, Precision p) {
        float epsF = (float) eps;
        for (int t = from; t < to; t++) {
            int base = t * cols;
            double sumSquares = 0;
            for (int i = 0; i < cols; i++) {
                float v = x[base + i];
                sumSquares += v * v;
            }
            float variance = (float) (sumSquares / meanOver);
            float r = 1f / (float) Math.sqrt(variance + epsF);
            for (int i = scaleVectors(x, base, cols, r, weight, out, p); i < cols; i++) {
                out[base + i] = p.round(weight[i] * p.round(x[base + i] * r));
            }
        }
    }

    /**
     * {@code out[base + i] = round(weight[i] * round(x[base + i] * r))} for the whole vectors of a row (each lane the
     * scalar expression); returns the first column left to the caller (0 where the dtype has no vector rounding).
     */
    private static int scaleVectors(float[] x, int base, int cols, float r, float[] weight, float[] out, Precision p) {
        if (!p.roundsVectors()) {
            return 0;
        }
        int i = 0;
        for (; i + F.length() <= cols; i += F.length()) {
            FloatVector scaled = p.round(FloatVector.fromArray(F, x, base + i).mul(r));
            p.round(FloatVector.fromArray(F, weight, i).mul(scaled)).intoArray(out, base + i);
        }
        return i;
    }

    /** Float64 reference: nothing rounded. */
    public static void apply(double[] x, int rows, int cols, double[] weight, double eps, double[] out) {
        apply(x, rows, cols, cols, weight, eps, out);
    }

    /** Float64, the mean of squares taken as the sum over {@code meanOver}. */
    public static void apply(double[] x, int rows, int cols, int meanOver, double[] weight, double eps,
            double[] out) {
        for (int t = 0; t < rows; t++) {
            int base = t * cols;
            double sumSquares = 0;
            for (int i = 0; i < cols; i++) {
                double v = x[base + i];
                sumSquares += v * v;
            }
            double r = 1 / Math.sqrt(sumSquares / meanOver + eps);
            for (int i = 0; i < cols; i++) {
                out[base + i] = weight[i] * (x[base + i] * r);
            }
        }
    }
}
