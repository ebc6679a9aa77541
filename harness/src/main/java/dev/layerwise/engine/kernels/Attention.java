package dev.layerwise.engine.kernels;

import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
     * score at a time; two query rows share each key load (eight independent chains keep both FMA units busy
     * where four would wait on the FMA latency). The softmax rounds, scales, takes the max, subtracts and normalizes
     * a vector at a time (each value's arithmetic is the scalar expression's; the max is order-free) and
     * exponentiates with {@link FloatExp}; only the sum runs one value after another, in key order.
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
            float[] dots = scratch.row(worker, 2 * width);
            double[] expScratch = scratch.doubles(worker, FloatExp.CHUNK);
            for (int s = 0; s < width; s++) {
                int ko = s * kStride + kvh * headDim;
                for (int d = 0; d < headDim; d++) {
                    kt[d * width + s] = s < tokens ? k[ko + d] : 0f;
                }
            }
            for (int t = 0; t < tokens; t += 2) {
                int row = (h * tokens + t) * tokens;
                int last = variant.lastKey(t, tokens);
                int qo = t * qStride + h * headDim;
                if (t + 1 < tokens) {
                    int nextLast = variant.lastKey(t + 1, tokens);
                    scorePair(q, qo, qo + qStride, kt, width, headDim, Math.max(last, nextLast) + 1, dots, width);
                    softmaxPair(dots, width, last + 1, nextLast + 1, scale, p, probs, row, tokens, expScratch);
                } else {
                    // the last of an odd number of rows: as the first of a pair with itself
                    scorePair(q, qo, qo, kt, width, headDim, last + 1, dots, width);
                    float max = scaledScores(dots, 0, last + 1, scale, p, probs, row);
                    FloatExp.shiftedInPlace(probs, row, row + last + 1, max, expScratch);
                    normalize(probs, row, last + 1, tokens, sum(probs, row, last + 1), p);
                }
            }
        });
    }

    /**
     * The softmax of two consecutive query rows: row a's dots at {@code dots[0 ..]} with {@code keysA} unmasked keys,
     * row b's at {@code dots[bAt ..]} with {@code keysB}; results to {@code probs[row ..]} and the next row.
     */
    private static void softmaxPair(float[] dots, int bAt, int keysA, int keysB, float scale, Precision p,
            float[] probs, int row, int tokens, double[] expScratch) {
        int rowB = row + tokens;
        float maxA = scaledScores(dots, 0, keysA, scale, p, probs, row);
        float maxB = scaledScores(dots, bAt, keysB, scale, p, probs, rowB);
        FloatExp.shiftedInPlace(probs, row, row + keysA, maxA, expScratch);
        FloatExp.shiftedInPlace(probs, rowB, rowB + keysB, maxB, expScratch);
        // the two rows' sums as two independent chains in one loop: each addition waits only on its own chain
        float sumA = 0;
        float sumB = 0;
        int both = Math.min(keysA, keysB);
        for (int s = 0; s < both; s++) {
            sumA += probs[row + s];
            sumB += probs[rowB + s];
        }
        for (int s = both; s < keysA; s++) {
            sumA += probs[row + s];
        }
        for (int s = both; s < keysB; s++) {
            sumB += probs[rowB + s];
        }
        normalize(probs, row, keysA, tokens, sumA, p);
        normalize(probs, rowB, keysB, tokens, sumB, p);
    }

    /** The float sum of {@code a[from .. from + n)} in index order. */
    private static float sum(float[] a, int from, int n) {
        float sum = 0;
        for (int i = from; i < from + n; i++) {
            sum += a[i];
        }
        return sum;
    }

    /**
     * {@code probs[row + s] = round(round(dots[at + s]) * scale)} for the {@code keys} unmasked scores of a row;
     * returns their max.
     */
    private static float scaledScores(float[] dots, int at, int keys, float scale, Precision p, float[] probs,
            int row) {
        if (p.dtype() == DType.BFLOAT16) {
            return bfloat16Scores(dots, at, keys, scale, probs, row);
        }
        int end = row + keys;
        System.arraycopy(dots, at, probs, row, keys);
        p.round(probs, row, end);
        multiply(probs, row, end, scale);
        p.round(probs, row, end);
        return max(probs, row, end);
    }

    /** {@code probs[row + s] = round(probs[row + s] * (1 / sum))} for s < keys, then zeros to the row's end. */
    private static void normalize(float[] probs, int row, int keys, int tokens, float sum, Precision p) {
        multiply(probs, row, row + keys, 1f / sum);
        p.round(probs, row, row + keys);
        Arrays.fill(probs, row + keys, row + tokens, 0f);
    }

    /** The bfloat16 scores {@code round(round(dots[at + s]) * scale)} in one pass; returns their max. */
    private static float bfloat16Scores(float[] dots, int at, int keys, float scale, float[] probs, int row) {
        FloatVector maxes = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int s = 0;
        for (; s + F.length() <= keys; s += F.length()) {
            FloatVector score = Precision.toBFloat16(Precision.toBFloat16(FloatVector.fromArray(F, dots, at + s))
                    .mul(scale));
            score.intoArray(probs, row + s);
            maxes = maxes.max(score);
        }
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (; s < keys; s++) {
            float score = BFloat16.toFloat(BFloat16.fromFloat(BFloat16.toFloat(BFloat16.fromFloat(dots[at + s]))
                    * scale));
            probs[row + s] = score;
            max = Math.max(max, score);
        }
        return max;
    }

    private static void multiply(float[] a, int from, int to, float factor) {
        int i = from;
        for (; i + F.length() <= to; i += F.length()) {
            FloatVector.fromArray(F, a, i).mul(factor).intoArray(a, i);
        }
        for (; i < to; i++) {
            a[i] *= factor;
        }
    }

    /** {@code Math.max} over {@code a[from .. to)}, -Infinity when empty (the order does not matter for max). */
    private static float max(float[] a, int from, int to) {
        FloatVector maxes = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = from;
        for (; i + F.length() <= to; i += F.length()) {
            maxes = maxes.max(FloatVector.fromArray(F, a, i));
        }
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (; i < to; i++) {
            max = Math.max(max, a[i]);
        }
        return max;
    }

    /**
     * {@code dots[s] = q[qa ..] . k[s]} for s < keys (whole vectors; {@code width}, the token count rounded up to
     * whole vectors, keeps every read inside kt), and the same for the query row at {@code qb} into
     * {@code dots[bAt ..]}: four key vectors of both rows at a time.
     */
    private static void scorePair(float[] q, int qa, int qb, float[] kt, int width, int headDim, int keys,
            float[] dots, int bAt) {
        int lanes = F.length();
        int s = 0;
        for (; s + 3 * lanes < keys; s += 4 * lanes) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int d = 0; d < headDim; d++) {
                FloatVector qda = FloatVector.broadcast(F, q[qa + d]);
                FloatVector qdb = FloatVector.broadcast(F, q[qb + d]);
                int ko = d * width + s;
                FloatVector k0 = FloatVector.fromArray(F, kt, ko);
                FloatVector k1 = FloatVector.fromArray(F, kt, ko + lanes);
                FloatVector k2 = FloatVector.fromArray(F, kt, ko + 2 * lanes);
                FloatVector k3 = FloatVector.fromArray(F, kt, ko + 3 * lanes);
                a0 = qda.fma(k0, a0);
                b0 = qdb.fma(k0, b0);
                a1 = qda.fma(k1, a1);
                b1 = qdb.fma(k1, b1);
                a2 = qda.fma(k2, a2);
                b2 = qdb.fma(k2, b2);
                a3 = qda.fma(k3, a3);
                b3 = qdb.fma(k3, b3);
            }
            a0.intoArray(dots, s);
            a1.intoArray(dots, s + lanes);
            a2.intoArray(dots, s + 2 * lanes);
            a3.intoArray(dots, s + 3 * lanes);
            b0.intoArray(dots, bAt + s);
            b1.intoArray(dots, bAt + s + lanes);
            b2.intoArray(dots, bAt + s + 2 * lanes);
            b3.intoArray(dots, bAt + s + 3 * lanes);
        }
        for (; s < keys; s += lanes) {
            FloatVector a = FloatVector.zero(F);
            FloatVector b = a;
            for (int d = 0; d < headDim; d++) {
                FloatVector kd = FloatVector.fromArray(F, kt, d * width + s);
                a = FloatVector.broadcast(F, q[qa + d]).fma(kd, a);
                b = FloatVector.broadcast(F, q[qb + d]).fma(kd, b);
            }
            a.intoArray(dots, s);
            b.intoArray(dots, bAt + s);
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
            float[] acc = scratch.row(worker, 2 * headDim);
            int vo = kvh * headDim;
            for (int t = 0; t < tokens; t += 2) {
                int row = (h * tokens + t) * tokens;
                int keys = finiteValues ? lastNonZero(probs, row, tokens) + 1 : tokens;
                int rows = Math.min(2, tokens - t);
                if (rows == 2) {
                    int nextKeys = finiteValues ? lastNonZero(probs, row + tokens, tokens) + 1 : tokens;
                    weightedSumPair(probs, row, keys, row + tokens, nextKeys, v, vStride, vo, headDim, acc);
                } else {
                    weightedSum(probs, row, keys, v, vStride, vo, headDim, acc, 0, 0);
                }
                for (int r = 0; r < rows; r++) {
                    int co = (t + r) * cStride + h * headDim;
                    for (int d = 0; d < headDim; d++) {
                        ctx[co + d] = p.round(acc[r * headDim + d]);
                    }
                }
            }
        });
    }

    /**
     * {@link #weightedSum} for two rows sharing each load of v: row a's sums go to {@code acc[0 .. headDim)}, row b's
     * to {@code acc[headDim .. 2 headDim)}. Over the keys both rows use their chains advance together; the longer
     * row then continues its own, so every chain still runs in key order.
     */
    private static void weightedSumPair(float[] w, int rowA, int keysA, int rowB, int keysB, float[] v, int stride,
            int vo, int headDim, float[] acc) {
        int lanes = F.length();
        int both = Math.min(keysA, keysB);
        int d = 0;
        for (; d + 4 * lanes <= headDim; d += 4 * lanes) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int s = 0;
            for (; s < both; s++) {
                FloatVector wa = FloatVector.broadcast(F, w[rowA + s]);
                FloatVector wb = FloatVector.broadcast(F, w[rowB + s]);
                int o = s * stride + vo + d;
                FloatVector v0 = FloatVector.fromArray(F, v, o);
                FloatVector v1 = FloatVector.fromArray(F, v, o + lanes);
                FloatVector v2 = FloatVector.fromArray(F, v, o + 2 * lanes);
                FloatVector v3 = FloatVector.fromArray(F, v, o + 3 * lanes);
                a0 = wa.fma(v0, a0);
                b0 = wb.fma(v0, b0);
                a1 = wa.fma(v1, a1);
                b1 = wb.fma(v1, b1);
                a2 = wa.fma(v2, a2);
                b2 = wb.fma(v2, b2);
                a3 = wa.fma(v3, a3);
                b3 = wb.fma(v3, b3);
            }
            for (int sa = s; sa < keysA; sa++) {
                FloatVector wa = FloatVector.broadcast(F, w[rowA + sa]);
                int o = sa * stride + vo + d;
                a0 = wa.fma(FloatVector.fromArray(F, v, o), a0);
                a1 = wa.fma(FloatVector.fromArray(F, v, o + lanes), a1);
                a2 = wa.fma(FloatVector.fromArray(F, v, o + 2 * lanes), a2);
                a3 = wa.fma(FloatVector.fromArray(F, v, o + 3 * lanes), a3);
            }
            for (int sb = s; sb < keysB; sb++) {
                FloatVector wb = FloatVector.broadcast(F, w[rowB + sb]);
                int o = sb * stride + vo + d;
                b0 = wb.fma(FloatVector.fromArray(F, v, o), b0);
                b1 = wb.fma(FloatVector.fromArray(F, v, o + lanes), b1);
                b2 = wb.fma(FloatVector.fromArray(F, v, o + 2 * lanes), b2);
                b3 = wb.fma(FloatVector.fromArray(F, v, o + 3 * lanes), b3);
            }
            a0.intoArray(acc, d);
            a1.intoArray(acc, d + lanes);
            a2.intoArray(acc, d + 2 * lanes);
            a3.intoArray(acc, d + 3 * lanes);
            b0.intoArray(acc, headDim + d);
            b1.intoArray(acc, headDim + d + lanes);
            b2.intoArray(acc, headDim + d + 2 * lanes);
            b3.intoArray(acc, headDim + d + 3 * lanes);
        }
        weightedSum(w, rowA, keysA, v, stride, vo, headDim, acc, 0, d);
        weightedSum(w, rowB, keysB, v, stride, vo, headDim, acc, headDim, d);
    }

    /**
     * {@code acc[at + d] = sum_{s < keys} w[row + s] * v[s * stride + vo + d]} for d from {@code fromD}, fma chains in
     * key order.
     */
    private static void weightedSum(float[] w, int row, int keys, float[] v, int stride, int vo, int headDim,
            float[] acc, int at, int fromD) {
        int lanes = F.length();
        int d = fromD;
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
            a0.intoArray(acc, at + d);
            a1.intoArray(acc, at + d + lanes);
            a2.intoArray(acc, at + d + 2 * lanes);
            a3.intoArray(acc, at + d + 3 * lanes);
        }
        for (; d + lanes <= headDim; d += lanes) {
            FloatVector a = FloatVector.zero(F);
            for (int s = 0; s < keys; s++) {
                a = FloatVector.broadcast(F, w[row + s]).fma(FloatVector.fromArray(F, v, s * stride + vo + d), a);
            }
            a.intoArray(acc, at + d);
        }
        for (; d < headDim; d++) {
            float a = 0;
            for (int s = 0; s < keys; s++) {
                a = Math.fma(w[row + s], v[s * stride + vo + d], a);
            }
            acc[at + d] = a;
        }
    }

    private static int lastNonZero(float[] a, int from, int length) {
        int lanes = F.length();
        int end = length;
        while (end >= 4 * lanes && !FloatVector.fromArray(F, a, from + end - 4 * lanes).compare(VectorOperators.NE, 0f)
                .or(FloatVector.fromArray(F, a, from + end - 3 * lanes).compare(VectorOperators.NE, 0f))
                .or(FloatVector.fromArray(F, a, from + end - 2 * lanes).compare(VectorOperators.NE, 0f))
                .or(FloatVector.fromArray(F, a, from + end - lanes).compare(VectorOperators.NE, 0f)).anyTrue()) {
            end -= 4 * lanes;
        }
        for (int s = end - 1; s >= 0; s--) {
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
