package dev.layerwise.numeric;

import java.util.Locale;

/** Floating-point storage/compute types, with the names used by traces, safetensors and the CLI. */
public enum DType {
    FLOAT32("float32", "F32", 4),
    FLOAT16("float16", "F16", 2),
    BFLOAT16("bfloat16", "BF16", 2),
    FLOAT64("float64", "F64", 8);

    private final String traceName;
    private final String safetensorsName;
    private final int byteSize;

    DType(String traceName, String safetensorsName, int byteSize) {
        this.traceName = traceName;
        this.safetensorsName = safetensorsName;
        this.byteSize = byteSize;
    }

    /** Name used in traces and HF configs ({@code torch_dtype}): float32, float16, bfloat16, float64. */
    public String traceName() {
        return traceName;
    }

    /** Name used in safetensors headers: F32, F16, BF16, F64. */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** Short CLI name: f32, f16, bf16, f64. */
    public String shortName() {
        return safetensorsName.toLowerCase(Locale.ROOT);
    }

    public int byteSize() {
        return byteSize;
    }

    /** Unit roundoff u = 2^-p (half an ulp of 1): 2^-24, 2^-11, 2^-8, 2^-53. */
    public double unitRoundoff() {
        return switch (this) {
            case FLOAT32 -> 0x1p-24;
            case FLOAT16 -> 0x1p-11;
            case BFLOAT16 -> 0x1p-8;
            case FLOAT64 -> 0x1p-53;
        };
    }

    /** Rounds a float32 value to this dtype (round-to-nearest-even) and returns it as a float. */
    public float round(float x) {
        return switch (this) {
            case FLOAT32, FLOAT64 -> x;
            case FLOAT16 -> Float.float16ToFloat(Float.floatToFloat16(x));
            case BFLOAT16 -> BFloat16.toFloat(BFloat16.fromFloat(x));
        };
    }

    /**
     * Parses any accepted spelling: float32/f32/F32/fp32, float16/f16/half, bfloat16/bf16, float64/f64.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static DType parse(String s) {
        String n = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace("torch.", "");
        return switch (n) {
            case "float32", "f32", "fp32", "float" -> FLOAT32;
            case "float16", "f16", "fp16", "half" -> FLOAT16;
            case "bfloat16", "bf16" -> BFLOAT16;
            case "float64", "f64", "fp64", "double" -> FLOAT64;
            default -> throw new IllegalArgumentException(
                    "unknown dtype '" + s + "' (expected float32|float16|bfloat16|float64 or f32|f16|bf16|f64)");
        };
    }

    /** Parses a safetensors dtype name; returns null for dtypes this project does not read as float. */
    public static DType fromSafetensors(String s) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(s)) {
                return d;
            }
        }
        return null;
    }

    /**
     * The coarsest (largest unit roundoff) of the given dtypes. A step's tolerance takes both steps' dtypes AND both
     * traces' dtypes: a value stored in float32 by a float16 model (e.g. sdpa's attn_probs, recomputed in float32
     * from float16 q and k) still carries float16 errors.
     */
    public static DType coarsest(DType... dtypes) {
        DType c = dtypes[0];
        for (DType d : dtypes) {
            if (d.unitRoundoff() > c.unitRoundoff()) {
                c = d;
            }
        }
        return c;
    }
}
