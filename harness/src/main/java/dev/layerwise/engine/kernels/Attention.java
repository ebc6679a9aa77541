package dev.layerwise.engine.kernels;

/**
 * Eager causal self-attention in two recorded halves: {@link #probabilities} (softmax of scaled scores,
 * masked entries 0, layout [nH, T, T]) and {@link #context} (probs @ v, heads concatenated, [T, nH*D]).
 * Grouped-query attention: query head h reads key/value head {@code h / (nH / nKV)}. Work is split
 * over heads; each head's numbers are computed in one fixed order.
 */
public final class Attention {
    private Attention() {
    }

    /**
     * Scores {@code q k^T} in float32, rounded to the model dtype, times D^-0.5 rounded again; softmax
     * over the unmasked keys in float32 ({@code exp(s - max) * (1 / sum)}), rounded to the model dtype.
     */
    public static void probabilities(float[] q, float[] k, int tokens, int heads, int kvHeads, int headDim,
            float[] probs, Precision p, WorkerPool pool) {
        probabilities(q, k, tokens, heads, kvHeads, headDim, AttentionVariant.STANDARD, probs, p, pool);
    }

    public static void probabilities(float[] q, float[] k, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, float[] probs, Precision p, WorkerPool pool) {
        float scale = (float) variant.scale(headDim);
        int qStride = heads * headDim;
        int kStride = kvHeads * headDim;
        pool.forEach(heads, (worker, h) -> {
            int kvh = variant.kvHead(h, heads, kvHeads);
            for (int t = 0; t < tokens; t++) {
                int row = (h * tokens + t) * tokens;
                int last = variant.lastKey(t, tokens);
                int qo = t * qStride + h * headDim;
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s <= last; s++) {
                    int ko = s * kStride + kvh * headDim;
                    float dot = 0;
                    for (int d = 0; d < headDim; d++) {
                        dot = Math.fma(q[qo + d], k[ko + d], dot);
                    }
                    float score = p.round(p.round(dot) * scale);
                    probs[row + s] = score;
                    max = Math.max(max, score);
                }
                float sum = 0;
                for (int s = 0; s <= last; s++) {
                    float e = (float) Math.exp(probs[row + s] - max);
                    probs[row + s] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                for (int s = 0; s <= last; s++) {
                    probs[row + s] = p.round(probs[row + s] * inv);
                }
                for (int s = last + 1; s < tokens; s++) {
                    probs[row + s] = 0f;
                }
            }
        });
    }

    /** {@code ctx[t, h, d] = sum_s probs[h, t, s] * v[s, kvh, d]} over all s, float32, rounded once. */
    public static void context(float[] probs, float[] v, int tokens, int heads, int kvHeads, int headDim,
            float[] ctx, Precision p, WorkerPool pool) {
        context(probs, v, tokens, heads, kvHeads, headDim, AttentionVariant.STANDARD, ctx, p, pool);
    }

    public static void context(float[] probs, float[] v, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, float[] ctx, Precision p, WorkerPool pool) {
        int vStride = kvHeads * headDim;
        int cStride = heads * headDim;
        pool.forEach(heads, (worker, h) -> {
            int kvh = variant.kvHead(h, heads, kvHeads);
            for (int t = 0; t < tokens; t++) {
                int row = (h * tokens + t) * tokens;
                for (int d = 0; d < headDim; d++) {
                    float acc = 0;
                    for (int s = 0; s < tokens; s++) {
                        acc = Math.fma(probs[row + s], v[s * vStride + kvh * headDim + d], acc);
                    }
                    ctx[t * cStride + h * headDim + d] = p.round(acc);
                }
            }
        });
    }

    public static void probabilities(double[] q, double[] k, int tokens, int heads, int kvHeads, int headDim,
            double[] probs, WorkerPool pool) {
        probabilities(q, k, tokens, heads, kvHeads, headDim, AttentionVariant.STANDARD, probs, pool);
    }

    public static void probabilities(double[] q, double[] k, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, double[] probs, WorkerPool pool) {
        double scale = variant.scale(headDim);
        int qStride = heads * headDim;
        int kStride = kvHeads * headDim;
        pool.forEach(heads, (worker, h) -> {
            int kvh = variant.kvHead(h, heads, kvHeads);
            for (int t = 0; t < tokens; t++) {
                int row = (h * tokens + t) * tokens;
                int last = variant.lastKey(t, tokens);
                int qo = t * qStride + h * headDim;
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= last; s++) {
                    int ko = s * kStride + kvh * headDim;
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) {
                        dot = Math.fma(q[qo + d], k[ko + d], dot);
                    }
                    double score = dot * scale;
                    probs[row + s] = score;
                    max = Math.max(max, score);
                }
                double sum = 0;
                for (int s = 0; s <= last; s++) {
                    double e = Math.exp(probs[row + s] - max);
                    probs[row + s] = e;
                    sum += e;
                }
                for (int s = 0; s <= last; s++) {
                    probs[row + s] /= sum;
                }
                for (int s = last + 1; s < tokens; s++) {
                    probs[row + s] = 0;
                }
            }
        });
    }

    public static void context(double[] probs, double[] v, int tokens, int heads, int kvHeads, int headDim,
            double[] ctx, WorkerPool pool) {
        context(probs, v, tokens, heads, kvHeads, headDim, AttentionVariant.STANDARD, ctx, pool);
    }

    public static void context(double[] probs, double[] v, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, double[] ctx, WorkerPool pool) {
        int vStride = kvHeads * headDim;
        int cStride = heads * headDim;
        pool.forEach(heads, (worker, h) -> {
            int kvh = variant.kvHead(h, heads, kvHeads);
            for (int t = 0; t < tokens; t++) {
                int row = (h * tokens + t) * tokens;
                for (int d = 0; d < headDim; d++) {
                    double acc = 0;
                    for (int s = 0; s < tokens; s++) {
                        acc = Math.fma(probs[row + s], v[s * vStride + kvh * headDim + d], acc);
                    }
                    ctx[t * cStride + h * headDim + d] = acc;
                }
            }
        });
    }
}
