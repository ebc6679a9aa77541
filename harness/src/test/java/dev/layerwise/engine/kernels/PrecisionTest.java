package dev.layerwise.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.numeric.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PrecisionTest {

    /** Every float of a strided sweep of all bit patterns, plus ties, NaN payloads and the values around them. */
    private static float[] sweep() {
        int stride = 1021;
        int special = 64;
        float[] xs = new float[(int) ((1L << 32) / stride) + 1 + special];
        long bits = 0;
        int i = 0;
        for (; i < xs.length - special; i++, bits += stride) {
            xs[i] = Float.intBitsToFloat((int) bits);
        }
        int[] patterns = {0x3f808000, 0x3f818000, 0x3f807fff, 0x3f808001, 0xbf808000, 0xbf818000, 0x7f7f8000,
            0x7f7fffff, 0xff7f8000, 0x00008000, 0x00018000, 0x80008000, 0x7f800000, 0xff800000, 0x7f800001,
            0x7fc00000, 0x7fbfffff, 0xffc12345, 0x7f80ffff, 0x00000001, 0x80000000, 0x00000000};
        for (int pattern : patterns) {
            if (i < xs.length) {
                xs[i++] = Float.intBitsToFloat(pattern);
            }
        }
        return xs;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT16", "BFLOAT16"})
    void roundingAnArrayIsRoundingEachValue(DType dtype) {
        Precision p = Precision.of(dtype);
        float[] xs = sweep();
        // offsets 0 and 3: the vector body from an aligned and an unaligned start, and the scalar tail
        for (int from : new int[] {0, 3}) {
            float[] got = xs.clone();
            p.round(got, from, xs.length - 5);
            for (int i = 0; i < xs.length; i++) {
                float expected = i >= from && i < xs.length - 5 ? p.round(xs[i]) : xs[i];
                if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(got[i])) {
                    assertEquals(Integer.toHexString(Float.floatToRawIntBits(expected)),
                            Integer.toHexString(Float.floatToRawIntBits(got[i])),
                            dtype + " round(0x" + Integer.toHexString(Float.floatToRawIntBits(xs[i])) + ") at " + i);
                }
            }
        }
    }
}
