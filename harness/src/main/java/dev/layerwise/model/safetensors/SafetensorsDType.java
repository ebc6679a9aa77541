package dev.layerwise.model.safetensors;

import dev.layerwise.numeric.DType;

/**
 * Every element type a safetensors header may name (as of safetensors 0.8). Only F32, F16 and BF16
 * are read as float by this project; the others are listed by {@code inspect} and refused by
 * {@link SafetensorsFile#tensor(String)}.
 */
public enum SafetensorsDType {
    BOOL(8), U8(8), I8(8), F8_E5M2(8), F8_E4M3(8), F8_E8M0(8), F8_E4M3FNUZ(8), F8_E5M2FNUZ(8),
    I16(16), U16(16), F16(16), BF16(16),
    I32(32), U32(32), F32(32),
    F64(64), I64(64), U64(64), C64(64),
    F4(4), F6_E2M3(6), F6_E3M2(6);

    private final int bits;

    SafetensorsDType(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    /** The float type this dtype is read as, or null when this project does not read it as float. */
    public DType floatType() {
        return switch (this) {
            case F32 -> DType.FLOAT32;
            case F16 -> DType.FLOAT16;
            case BF16 -> DType.BFLOAT16;
            default -> null;
        };
    }

    /** The header name of {@code d} (F32, F16, BF16, F64). */
    public static SafetensorsDType of(DType d) {
        return valueOf(d.safetensorsName());
    }

    /** Parses a header dtype name; null when unknown. */
    public static SafetensorsDType parse(String name) {
        for (SafetensorsDType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
