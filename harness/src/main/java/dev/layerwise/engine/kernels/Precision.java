package dev.layerwise.engine.kernels;

import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Where a float32-compute engine rounds to the model dtype, following Hugging Face eager Llama
 * (llama-numerics.md): every stored intermediate (linear outputs, residual adds, RoPE products and sums,
 * scores, probabilities, the two RMSNorm roundings, silu once, the gate*up product) is rounded to
 * {@link #dtype()} with round-to-nearest-even; reductions inside one op stay in float32.
 */
public final class Precision {
    private static final VectorSpecies<Float> F = MatMulKernels.LANES;

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
                int i = roundToBFloat16(a, from, to);
                for (; i < to; i++) {
                    a[i] = BFloat16.toFloat(BFloat16.fromFloat(a[i]));
                }
            }
            default -> {
                // float32: every float op already rounded
            }
        }
    }

    /**
     * {@code BFloat16.toFloat(BFloat16.fromFloat(a[i]))} for whole vectors from {@code from}, in integer lanes
     * (nearest even; NaN kept, made quiet); returns where it stopped.
     */
    private static int roundToBFloat16(float[] a, int from, int to) {
        int lanes = F.length();
        int i = from;
        for (; i + lanes <= to; i += lanes) {
            toBFloat16(FloatVector.fromArray(F, a, i)).intoArray(a, i);
        }
        return i;
    }

    /** True when {@link #round(FloatVector)} applies: float32 and bfloat16 (the Vector API has no float16 conversion). */
    boolean roundsVectors() {
        return dtype != DType.FLOAT16;
    }

    /** {@link #round(float)} in every lane; float32 and bfloat16 only ({@link #roundsVectors()}). */
    FloatVector round(FloatVector x) {
        return dtype == DType.BFLOAT16 ? toBFloat16(x) : x;
    }

    /** {@code BFloat16.toFloat(BFloat16.fromFloat(x))} in every lane. */
    static FloatVector toBFloat16(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        IntVector nearestEven = bits.add(bits.lanewise(VectorOperators.LSHR, 16).and(1).add(0x7fff)).and(0xffff0000);
        VectorMask<Integer> nan = bits.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
        return nearestEven.blend(bits.and(0xffff0000).or(0x00400000), nan).reinterpretAsFloats();
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
