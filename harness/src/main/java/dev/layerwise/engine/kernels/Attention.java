package dev.layerwise.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Eager causal self-attention in two recorded halves: {@link #probabilities} (softmax of scaled scores,
 * masked entries 0, layout [nH, T, T]) and {@link #context} (probs @ v, heads concatenated, [T, nH*D]).
 * Grouped-query attention: query head h reads key/value head {@code h / (nH / nKV)}. Work is split
 * over heads; each head's numbers are computed in one fixed order.
 */
public final class Attention {
    private static final VectorSpecies<Float> F = MatMulKernels.LANES;

    private Attention() {
    }

    /**
     * Scores {@code q k^T} in float32, rounded to the model dtype, times D^-0.5 rounded again; softmax
     * over the unmasked keys in float32 ({@code exp(s - max) * (1 / sum)}), rounded to the model dtype.
     */
    public static void probabilities(float[] q, float[] k, int tokens, int heads, int kvHeads, int headDim,
            float[] probs, Precision p, WorkerPool pool) {
        probabilities(q, k, tokens, heads, kvHeads, headDim, AttentionVariant.STANDARD, probs, p, pool,
                new Scratch(pool.threads()));
    }

    /**
     * Vectorized over keys: the head's keys are transposed ({@code kt[d * width + s]}) so that lane s of a vector
     * runs score s's chain {@code dot = fma(q[t, d], k[s, d], dot)} over d = 0 .. D-1, the same arithmetic as one
     * score at a time. The softmax's exponentials are computed a vector at a time ({@link FloatExp}, bit for bit
     * {@code (float) Math.exp}); its max and its sum (in key order) stay scalar.
     */
    public static void probabilities(float[] q, float[] k, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, float[] probs, Precision p, WorkerPool pool, Scratch scratch) {
        float scale = (float) variant.scale(headDim);
        int qStride = heads * headDim;
        int kStride = kvHeads * headDim;
        int lanes = F.length();
        int width = (tokens + lanes - 1) / lanes * lanes;
        pool.forEach(heads, (worker, h) -> {
            int kvh = variant.kvHead(h, heads, kvHeads);
            float[] kt = scratch.floats(worker, headDim * width);
            float[] dots = scratch.row(worker, width);
            double[] expScratch = scratch.doubles(worker, FloatExp.CHUNK);
            for (int s = 0; s < width; s++) {
                int ko = s * kStride + kvh * headDim;
                for (int d = 0; d < headDim; d++) {
                    kt[d * width + s] = s < tokens ? k[ko + d] : 0f;
                }
            }
            for (int t = 0; t < tokens; t++) {
                int row = (h * tokens + t) * tokens;
                int last = variant.lastKey(t, tokens);
                int qo = t * qStride + h * headDim;
                scores(q, qo, kt, width, headDim, last + 1, dots);
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s <= last; s++) {
                    float score = p.round(p.round(dots[s]) * scale);
                    probs[row + s] = score;
                    max = Math.max(max, score);
                }
                for (int s = 0; s <= last; s++) {
                    probs[row + s] -= max;
                }
                FloatExp.inPlace(probs, row, row + last + 1, expScratch);
                float sum = 0;
                for (int s = 0; s <= last; s++) {
                    sum += probs[row + s];
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

    /** {@code dots[s] = q[qo ..] . k[s]} for s < keys (whole vectors), four key vectors at a time. */
    private static void scores(float[] q, int qo, float[] kt, int width, int headDim, int keys, float[] dots) {
        // width is the token count rounded up to whole vectors, so every vector read here lies inside kt
        int lanes = F.length();
        int s = 0;
        for (; s + 3 * lanes < keys; s += 4 * lanes) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < headDim; d++) {
                FloatVector qd = FloatVector.broadcast(F, q[qo + d]);
                int ko = d * width + s;
                a0 = qd.fma(FloatVector.fromArray(F, kt, ko), a0);
                a1 = qd.fma(FloatVector.fromArray(F, kt, ko + lanes), a1);
                a2 = qd.fma(FloatVector.fromArray(F, kt, ko + 2 * lanes), a2);
                a3 = qd.fma(FloatVector.fromArray(F, kt, ko + 3 * lanes), a3);
            }
            a0.intoArray(dots, s);
            a1.intoArray(dots, s + lanes);
            a2.intoArray(dots, s + 2 * lanes);
            a3.intoArray(dots, s + 3 * lanes);
        }
        for (; s < keys; s += lanes) {
            FloatVector a = FloatVector.zero(F);
            for (int d = 0; d < headDim; d++) {
                a = FloatVector.broadcast(F, q[qo + d]).fma(FloatVector.fromArray(F, kt, d * width + s), a);
            }
            a.intoArray(dots, s);
        }
    }

    /** {@code ctx[t, h, d] = sum_s probs[h, t, s] * v[s, kvh, d]} over all s, float32, rounded once. */
    public static void context(float[] probs, float[] v, int tokens, int heads, int kvHeads, int headDim,
            float[] ctx, Precision p, WorkerPool pool) {
        context(probs, v, tokens, heads, kvHeads, headDim, AttentionVariant.STANDARD, ctx, p, pool,
                new Scratch(pool.threads()));
    }

    /**
     * Vectorized over d: lane d runs {@code acc = fma(probs[t, s], v[s, d], acc)} over s in key order, as the
     * scalar loop does. When every value of v is finite, the keys after a row's last nonzero probability are
     * skipped: a zero times a finite value adds a zero, and a zero added to {@code acc} leaves it unchanged
     * ({@code acc} starts at +0 and round-to-nearest never makes it -0), so the result is bit for bit the same.
     * With a non-finite v they are not skipped ({@code 0 * inf} is NaN, as in Hugging Face's matmul).
     */
    public static void context(float[] probs, float[] v, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, float[] ctx, Precision p, WorkerPool pool, Scratch scratch) {
        int vStride = kvHeads * headDim;
        int cStride = heads * headDim;
        boolean finiteValues = allFinite(v, tokens * vStride);
        pool.forEach(heads, (worker, h) -> {
            int kvh = variant.kvHead(h, heads, kvHeads);
            float[] acc = scratch.row(worker, headDim);
            for (int t = 0; t < tokens; t++) {
                int row = (h * tokens + t) * tokens;
                int keys = finiteValues ? lastNonZero(probs, row, tokens) + 1 : tokens;
                weightedSum(probs, row, keys, v, vStride, kvh * headDim, headDim, acc);
                int co = t * cStride + h * headDim;
                for (int d = 0; d < headDim; d++) {
                    ctx[co + d] = p.round(acc[d]);
                }
            }
        });
    }

    /** {@code acc[d] = sum_{s < keys} w[row + s] * v[s * stride + vo + d]}, fma chains in key order. */
    private static void weightedSum(float[] w, int row, int keys, float[] v, int stride, int vo, int headDim,
            float[] acc) {
        int lanes = F.length();
        int d = 0;
        for (; d + 4 * lanes <= headDim; d += 4 * lanes) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int s = 0; s < keys; s++) {
                FloatVector ws = FloatVector.broadcast(F, w[row + s]);
                int o = s * stride + vo + d;
                a0 = ws.fma(FloatVector.fromArray(F, v, o), a0);
                a1 = ws.fma(FloatVector.fromArray(F, v, o + lanes), a1);
                a2 = ws.fma(FloatVector.fromArray(F, v, o + 2 * lanes), a2);
                a3 = ws.fma(FloatVector.fromArray(F, v, o + 3 * lanes), a3);
            }
            a0.intoArray(acc, d);
            a1.intoArray(acc, d + lanes);
            a2.intoArray(acc, d + 2 * lanes);
            a3.intoArray(acc, d + 3 * lanes);
        }
        for (; d + lanes <= headDim; d += lanes) {
            FloatVector a = FloatVector.zero(F);
            for (int s = 0; s < keys; s++) {
                a = FloatVector.broadcast(F, w[row + s]).fma(FloatVector.fromArray(F, v, s * stride + vo + d), a);
            }
            a.intoArray(acc, d);
        }
        for (; d < headDim; d++) {
            float a = 0;
            for (int s = 0; s < keys; s++) {
                a = Math.fma(w[row + s], v[s * stride + vo + d], a);
            }
            acc[d] = a;
        }
    }

    private static int lastNonZero(float[] a, int from, int length) {
        for (int s = length - 1; s >= 0; s--) {
            if (a[from + s] != 0f) {
                return s;
            }
        }
        return -1;
    }

    private static boolean allFinite(float[] a, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }

    public static void probabilities(float[] q, float[] k, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, float[] probs, Precision p, WorkerPool pool) {
        probabilities(q, k, tokens, heads, kvHeads, headDim, variant, probs, p, pool, new Scratch(pool.threads()));
    }

    public static void context(float[] probs, float[] v, int tokens, int heads, int kvHeads, int headDim,
            AttentionVariant variant, float[] ctx, Precision p, WorkerPool pool) {
        context(probs, v, tokens, heads, kvHeads, headDim, variant, ctx, p, pool, new Scratch(pool.threads()));
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
