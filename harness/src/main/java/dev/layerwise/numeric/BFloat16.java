package dev.layerwise.numeric;

/** bfloat16 conversions: the upper 16 bits of an IEEE float32, rounded to nearest even. */
public final class BFloat16 {
    private BFloat16() {
    }

    /** Rounds to nearest even; NaN stays a (quiet) NaN, infinities stay infinite. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }
}
