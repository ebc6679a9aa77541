package dev.layerwise.engine.kernels;

import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;

/**
 * Where a float32-compute engine rounds to the model dtype, following Hugging Face eager Llama
 * (llama-numerics.md): every stored intermediate (linear outputs, residual adds, RoPE products and sums,
 * scores, probabilities, the two RMSNorm roundings, silu once, the gate*up product) is rounded to
 * {@link #dtype()} with round-to-nearest-even; reductions inside one op stay in float32.
 */
public final class Precision {
    private final DType dtype;

    private Precision(DType dtype) {
        if (dtype == DType.FLOAT64) {
            throw new IllegalArgumentException("float64 is the oracle engine's dtype, not a float32-compute precision");
        }
        this.dtype = dtype;
    }

    public static Precision of(DType dtype) {
        return new Precision(dtype);
    }

    public DType dtype() {
        return dtype;
    }

    public float round(float x) {
        return switch (dtype) {
            case FLOAT16 -> Float.float16ToFloat(Float.floatToFloat16(x));
            case BFLOAT16 -> BFloat16.toFloat(BFloat16.fromFloat(x));
            default -> x;
        };
    }

    /** Rounds {@code a[from .. to)} in place. */
    public void round(float[] a, int from, int to) {
        switch (dtype) {
            case FLOAT16 -> {
                for (int i = from; i < to; i++) {
                    a[i] = Float.float16ToFloat(Float.floatToFloat16(a[i]));
                }
            }
            case BFLOAT16 -> {
                for (int i = from; i < to; i++) {
                    a[i] = BFloat16.toFloat(BFloat16.fromFloat(a[i]));
                }
            }
            default -> {
                // float32: every float op already rounded
            }
        }
    }

    /**
     * True when weights stored as {@code stored} change when cast to the model dtype (HF casts them on
     * load with {@code dtype=}): narrowing f32 to f16/bf16, or between f16 and bf16.
     */
    public boolean roundsWeightsStoredAs(DType stored) {
        return stored != dtype && dtype != DType.FLOAT32;
    }

    @Override
    public String toString() {
        return dtype.traceName() + " (float32 compute, rounded where Hugging Face rounds)";
    }
}
