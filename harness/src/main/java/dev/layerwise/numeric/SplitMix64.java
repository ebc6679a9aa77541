package dev.layerwise.numeric;

/**
 * The SplitMix64 finalizer shared by the sketch signs (trace-format-v1) and the synthetic weights
 * (docs/synthetic-checkpoints.md). All arithmetic wraps mod 2^64, shifts are logical.
 */
public final class SplitMix64 {
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private SplitMix64() {
    }

    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
