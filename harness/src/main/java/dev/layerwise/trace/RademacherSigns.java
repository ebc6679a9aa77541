package dev.layerwise.trace;

import dev.layerwise.numeric.SplitMix64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sketch's Rademacher signs r_j(i) (trace-format-v1), precomputed as bit sets so that sketching
 * a tensor costs no hashing. Bit {@code i} of row {@code j} is 1 when r_j(i) = -1. Tables are shared
 * per (seed, k) and grown on demand; they never shrink.
 */
public final class RademacherSigns {
    private static final Map<Long, RademacherSigns> CACHE = new ConcurrentHashMap<>();

    private final long seed;
    private final int k;
    private final long[] bases;
    private volatile long[][] negativeBits;

    private RademacherSigns(long seed, int k) {
        this.seed = seed;
        this.k = k;
        this.bases = new long[k];
        for (int j = 0; j < k; j++) {
            bases[j] = SplitMix64.mix64(seed + (j + 1) * SplitMix64.GOLDEN);
        }
        this.negativeBits = new long[k][0];
    }

    public static RademacherSigns of(long seed, int k) {
        if (k < 0 || k > 4096) {
            throw new IllegalArgumentException("sketch k must be in 0..4096, got " + k);
        }
        return CACHE.computeIfAbsent(seed * 31 + k, key -> new RademacherSigns(seed, k));
    }

    public static RademacherSigns of(SketchSpec spec) {
        return of(spec.seed(), spec.k());
    }

    public long seed() {
        return seed;
    }

    public int k() {
        return k;
    }

    /** r_j(i) computed directly from the definition: +1 or -1. */
    public int sign(int j, long i) {
        long z = SplitMix64.mix64(bases[j] + (i + 1) * SplitMix64.GOLDEN);
        return (z >>> 63) == 0 ? 1 : -1;
    }

    /**
     * Bit table covering at least {@code elements} indices: {@code table[j][w]} holds the signs of
     * elements 64w .. 64w+63, bit b set when r_j(64w+b) = -1.
     */
    public long[][] negativeBits(long elements) {
        long[][] t = negativeBits;
        long words = (elements + 63) >>> 6;
        if (k == 0 || t[0].length >= words) {
            return t;
        }
        synchronized (this) {
            t = negativeBits;
            if (t[0].length >= words) {
                return t;
            }
            if (words > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor too large to sketch: " + elements + " elements");
            }
            int newWords = (int) Math.max(words, Math.min(Integer.MAX_VALUE, t[0].length * 2L));
            long[][] grown = new long[k][];
            for (int j = 0; j < k; j++) {
                long[] row = java.util.Arrays.copyOf(t[j], newWords);
                long base = bases[j];
                for (int w = t[j].length; w < newWords; w++) {
                    long word = 0;
                    long i0 = (long) w << 6;
                    for (int b = 0; b < 64; b++) {
                        long z = SplitMix64.mix64(base + (i0 + b + 1) * SplitMix64.GOLDEN);
                        word |= (z >>> 63) << b;
                    }
                    row[w] = word;
                }
                grown[j] = row;
            }
            negativeBits = grown;
            return grown;
        }
    }
}
