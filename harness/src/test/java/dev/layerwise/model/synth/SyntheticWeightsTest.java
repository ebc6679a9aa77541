package dev.layerwise.model.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import dev.layerwise.numeric.SplitMix64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Expected values below were computed by hand from the spec's formulas with Python integers
 * (u) and numpy/torch float32, float16 and bfloat16 casts (rounding).
 */
class SyntheticWeightsTest {

    @Test
    void fnv1aAndMix64MatchTheirPublishedTestVectors() {
        assertEquals(0xCBF29CE484222325L, SyntheticWeights.fnv1a64(""));
        assertEquals(0xaf63dc4c8601ec8cL, SyntheticWeights.fnv1a64("a"));
        // the first output of a SplitMix64 generator seeded with 0
        assertEquals(0xe220a8397b1dcdafL, SplitMix64.mix64(SplitMix64.GOLDEN));
    }

    @ParameterizedTest
    @CsvSource({
        "model.norm.weight,                    0,    7896551",
        "model.norm.weight,                    63,   13259304",
        "model.embed_tokens.weight,            5,    11357402",
        "lm_head.weight,                       1234, 9484138",
        "model.layers.1.mlp.down_proj.weight,  100,  4476503",
    })
    void uIsTheTop24BitsScaledExactly(String name, long i, long top24) {
        double exact = top24 / 8388608.0 - 1;
        assertEquals(exact, (double) SyntheticWeights.u(1, name, i));
    }

    @Test
    void uCoversMinusOneToOneExclusive() {
        float min = 1;
        float max = -1;
        for (long i = 0; i < 100_000; i++) {
            float u = SyntheticWeights.u(3, "x", i);
            min = Math.min(min, u);
            max = Math.max(max, u);
        }
        assertEquals(-1f, min, 1e-4f);
        assertEquals(1f, max, 1e-4f);
        assertEquals(true, max < 1f);
    }

    @ParameterizedTest
    @CsvSource({
        // name,                               shape,   i,    float32 bits, bf16 bits, f16 bits
        "model.norm.weight,                    64,      0,    3f7c3ef4,     3f7c,      3be2",
        "model.norm.weight,                    64,      63,   3f92948a,     3f93,      3c95",
        "model.embed_tokens.weight,            512x64,  5,    3e353368,     3e35,      31aa",
        "lm_head.weight,                       512x64,  1234, 3ce7a14d,     3ce8,      273d",
        "model.layers.1.mlp.down_proj.weight,  64x176,  100,  bd7964b1,     bd79,      abcb",
    })
    void valuesAndTheirRoundingMatchHandComputation(String name, String shape, long i, String f32, String bf16, String f16) {
        long[] dims = java.util.Arrays.stream(shape.split("x")).mapToLong(Long::parseLong).toArray();
        SyntheticWeights w = SyntheticWeights.of(1, name, dims);
        float v = w.value(i);
        assertEquals(Integer.parseUnsignedInt(f32, 16), Float.floatToRawIntBits(v));
        assertEquals((short) Integer.parseInt(bf16, 16), BFloat16.fromFloat(v));
        assertEquals((short) Integer.parseInt(f16, 16), Float.floatToFloat16(v));
        assertEquals(Float.float16ToFloat((short) Integer.parseInt(f16, 16)), w.stored(i, DType.FLOAT16));
        assertEquals(BFloat16.toFloat((short) Integer.parseInt(bf16, 16)), w.stored(i, DType.BFLOAT16));
        float[] chunk = new float[3];
        w.fill(i, chunk, 3);
        assertEquals(v, chunk[0]);
        assertEquals(w.value(i + 2), chunk[2]);
    }

    @Test
    void bfloat16RoundsTiesToEven() {
        assertEquals((short) 0x3f80, BFloat16.fromFloat(Float.intBitsToFloat(0x3f808000)));
        assertEquals((short) 0x3f82, BFloat16.fromFloat(Float.intBitsToFloat(0x3f818000)));
        assertEquals((short) 0x3f81, BFloat16.fromFloat(Float.intBitsToFloat(0x3f808001)));
    }

    @Test
    void projectionScaleIsTheFloat64SquareRootRoundedOnce() {
        assertEquals((float) Math.sqrt(3.0 / 64), SyntheticWeights.projectionScale(64));
        assertEquals(Float.intBitsToFloat(0x3e5db3d7), SyntheticWeights.projectionScale(64)); // 0.21650635
    }

    @Test
    void refusesNamesWithoutAValueRule() {
        assertThrows(IllegalArgumentException.class, () -> SyntheticWeights.of(1, "model.rotary_emb.inv_freq", new long[] {8}));
    }
}
