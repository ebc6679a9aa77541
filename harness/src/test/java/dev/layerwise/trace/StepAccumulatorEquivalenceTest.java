package dev.layerwise.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.numeric.DType;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The optimized accumulator gives exactly the results of the original scalar one. */
class StepAccumulatorEquivalenceTest {

    private static float[] values(long seed, int n, DType dtype, boolean specials) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            float x = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 4));
            v[i] = dtype.round(x);
            if (specials && r.nextInt(50) == 0) {
                float[] s = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f};
                v[i] = s[r.nextInt(s.length)];
            }
        }
        return v;
    }

    @ParameterizedTest
    @CsvSource({"FLOAT16, 16, 0, false, 1000", "BFLOAT16, 16, 3, true, 777", "FLOAT32, 16, 0, true, 5000",
        "FLOAT64, 16, 9, false, 100", "FLOAT32, 5, 1, true, 333", "FLOAT16, 40, 2, false, 64", "FLOAT32, 0, 0, true, 17"})
    void floatInputMatchesTheOriginalBitForBit(DType dtype, int k, long seed, boolean specials, int chunk) {
        long[] shape = {7, 3, 613};
        int n = 7 * 3 * 613;
        float[] v = values(seed, n, dtype, specials);
        SketchSpec spec = new SketchSpec(SketchSpec.RADEMACHER_SPLITMIX64, k, seed);
        StepAccumulator fast = new StepAccumulator(spec).begin("x", shape, dtype);
        ReferenceStepAccumulator ref = new ReferenceStepAccumulator(spec).begin("x", shape, dtype);
        for (int off = 0; off < n; off += chunk) {
            int len = Math.min(chunk, n - off);
            fast.add(v, off, len);
            ref.add(v, off, len);
        }
        assertEquals(ref.finish(), fast.finish());
    }

    @ParameterizedTest
    @CsvSource({"FLOAT64, 16", "FLOAT32, 16", "FLOAT16, 3"})
    void doubleInputMatchesTheOriginalBitForBit(DType dtype, int k) {
        long[] shape = {5, 9000};
        float[] f = values(11, 45000, dtype, true);
        double[] v = new double[f.length];
        Random r = new Random(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = dtype == DType.FLOAT64 ? f[i] * (1 + r.nextDouble() * 1e-9) : f[i];
        }
        SketchSpec spec = new SketchSpec(SketchSpec.RADEMACHER_SPLITMIX64, k, 0);
        StepAccumulator fast = new StepAccumulator(spec);
        ReferenceStepAccumulator ref = new ReferenceStepAccumulator(spec);
        // reuse across two steps
        for (int round = 0; round < 2; round++) {
            assertEquals(ref.begin("y", shape, dtype).add(v).finish(), fast.begin("y", shape, dtype).add(v).finish());
        }
    }
}
