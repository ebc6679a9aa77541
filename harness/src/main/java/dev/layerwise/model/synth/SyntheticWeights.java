package dev.layerwise.model.synth;

import dev.layerwise.model.LlamaTensors;
import dev.layerwise.numeric.DType;
import dev.layerwise.numeric.SplitMix64;
import java.nio.charset.StandardCharsets;

/**
 * The value of every element of a synthetic checkpoint (docs/synthetic-checkpoints.md): a uniform
 * u in [-1, 1) from SplitMix64 keyed by seed, tensor name and flat index, then scaled in float32
 * according to the kind of tensor. {@link #value(long)} is the float32 value before the storage
 * dtype's round-to-nearest-even.
 */
public final class SyntheticWeights {
    private static final long FNV_OFFSET = 0xCBF29CE484222325L;
    private static final long FNV_PRIME = 0x100000001B3L;

    private final String name;
    private final long base;
    private final float scale;
    private final float offset;

    private SyntheticWeights(String name, long base, float scale, float offset) {
        this.name = name;
        this.base = base;
        this.scale = scale;
        this.offset = offset;
    }

    /**
     * The weights of tensor {@code name} with {@code shape} under {@code seed}.
     *
     * @throws IllegalArgumentException for a name that is not a Llama weight
     */
    public static SyntheticWeights of(long seed, String name, long[] shape) {
        long base = base(seed, name);
        if (name.endsWith("layernorm.weight") || name.equals(LlamaTensors.FINAL_NORM)) {
            return new SyntheticWeights(name, base, 0.25f, 1f);
        }
        if (name.equals(LlamaTensors.EMBED)) {
            return new SyntheticWeights(name, base, 0.5f, 0f);
        }
        if (name.endsWith("_proj.weight") || name.equals(LlamaTensors.LM_HEAD)) {
            if (shape.length != 2) {
                throw new IllegalArgumentException(name + ": a projection must be 2-D, found " + shape.length + " dimensions");
            }
            return new SyntheticWeights(name, base, projectionScale(shape[1]), 0f);
        }
        throw new IllegalArgumentException("no synthetic value rule for tensor " + name);
    }

    /** s = float32(sqrt(3 / in_features)), the square root taken in float64. */
    public static float projectionScale(long inFeatures) {
        return (float) Math.sqrt(3.0 / inFeatures);
    }

    public static long fnv1a64(String name) {
        long h = FNV_OFFSET;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    public static long base(long seed, String name) {
        return SplitMix64.mix64(seed ^ fnv1a64(name));
    }

    /** u(name, i) = (bits >>> 40) / 2^23 - 1, exact in float32. */
    public static float u(long seed, String name, long i) {
        return uFromBase(base(seed, name), i);
    }

    private static float uFromBase(long base, long i) {
        long bits = SplitMix64.mix64(base + (i + 1) * SplitMix64.GOLDEN);
        return (bits >>> 40) * 0x1p-23f - 1f;
    }

    public String name() {
        return name;
    }

    /** The float32 value of element {@code i} (flat row-major index), before rounding to the storage dtype. */
    public float value(long i) {
        return offset + scale * uFromBase(base, i);
    }

    /** The value of element {@code i} as stored in {@code dtype} (round-to-nearest-even), widened back to float. */
    public float stored(long i, DType dtype) {
        return dtype.round(value(i));
    }

    /** Values of elements [from, from + length) into {@code dst[0 .. length)}. */
    public void fill(long from, float[] dst, int length) {
        long z = base + (from + 1) * SplitMix64.GOLDEN;
        for (int p = 0; p < length; p++) {
            long bits = SplitMix64.mix64(z);
            dst[p] = offset + scale * ((bits >>> 40) * 0x1p-23f - 1f);
            z += SplitMix64.GOLDEN;
        }
    }
}
