package dev.layerwise.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.numeric.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class StepAccumulatorTest {

    @Test
    void computesStatsRowsSketchAndHash() throws Exception {
        float[] v = {1f, -2f, 0f, 3.5f, -0f, 0.25f};
        Step s = StepAccumulator.of("x", new long[] {2, 3}, DType.FLOAT32, v);
        Stats st = s.stats();
        assertEquals(6, st.count());
        assertEquals(2.75, st.sum(), 0);
        assertEquals(6.75, st.absSum(), 0);
        assertEquals(1 + 4 + 12.25 + 0.0625, st.sumSq(), 0);
        assertEquals(-2, st.min());
        assertEquals(3.5, st.max());
        assertEquals(2, st.zeros());
        assertEquals(0, st.nan());
        assertArrayEquals(new double[] {-1, 3.75}, s.rowSums(), 0);
        assertArrayEquals(new double[] {5, 12.3125}, s.rowSumSq(), 0);

        RademacherSigns signs = RademacherSigns.of(0, 16);
        double[] expected = new double[16];
        for (int j = 0; j < 16; j++) {
            for (int i = 0; i < v.length; i++) {
                expected[j] += signs.sign(j, i) * (double) v[i];
            }
        }
        assertArrayEquals(expected, s.sketch(), 0);

        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        assertEquals(sha, s.sha256());
    }

    @Test
    void float16IsHashedAsTwoByteValues() throws Exception {
        float[] v = {1f, 0.5f, -65504f};
        Step s = StepAccumulator.of("h", new long[] {3}, DType.FLOAT16, v);
        byte[] bytes = {0x00, 0x3c, 0x00, 0x38, (byte) 0xff, (byte) 0xfb};
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), s.sha256());
    }

    @Test
    void nonFiniteValuesAreCountedAndExcludedFromExtrema() {
        float[] v = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2f};
        Step s = StepAccumulator.of("n", new long[] {4}, DType.FLOAT32, v);
        assertEquals(1, s.stats().nan());
        assertEquals(1, s.stats().posInf());
        assertEquals(1, s.stats().negInf());
        assertEquals(2.0, s.stats().min());
        assertEquals(2.0, s.stats().max());
        assertTrue(Double.isNaN(s.stats().sum()));
    }

    @Test
    void infinitiesGiveTheSketchOfTheSignedSum() {
        // sketch_j = sum_i r_j(i) x_i: +-Infinity when all infinite terms share a sign, NaN when they do not
        float[] v = {1f, Float.POSITIVE_INFINITY, -2f, 0.5f, 3f, -1f, 7f, 2f, 4f, Float.POSITIVE_INFINITY, 1f};
        RademacherSigns signs = RademacherSigns.of(0, 16);
        Step s = StepAccumulator.of("i", new long[] {v.length}, DType.FLOAT32, v);
        assertEquals(Double.POSITIVE_INFINITY, s.stats().sum());
        int nanRows = 0;
        for (int j = 0; j < 16; j++) {
            int a = signs.sign(j, 1);
            int b = signs.sign(j, 9);
            double expected = a != b ? Double.NaN : a * Double.POSITIVE_INFINITY;
            nanRows += a != b ? 1 : 0;
            assertEquals(expected, s.sketch()[j], "sketch[" + j + "]");
        }
        assertTrue(nanRows > 0 && nanRows < 16, "the signs give both cases");

        float[] w = v.clone();
        w[9] = 5f;
        w[3] = Float.NEGATIVE_INFINITY;
        Step t = StepAccumulator.of("i", new long[] {w.length}, DType.FLOAT32, w);
        for (int j = 0; j < 16; j++) {
            int a = signs.sign(j, 1);
            int b = -signs.sign(j, 3);
            double expected = a != b ? Double.NaN : a * Double.POSITIVE_INFINITY;
            assertEquals(expected, t.sketch()[j], "sketch[" + j + "]");
        }
    }

    @Test
    void oneInfinityGivesAnInfiniteSketchNotNaN() {
        float[] v = new float[100];
        java.util.Arrays.fill(v, 0.25f);
        v[40] = Float.NEGATIVE_INFINITY;
        Step s = StepAccumulator.of("i", new long[] {4, 25}, DType.FLOAT32, v);
        RademacherSigns signs = RademacherSigns.of(0, 16);
        for (int j = 0; j < 16; j++) {
            assertEquals(-signs.sign(j, 40) * Double.POSITIVE_INFINITY, s.sketch()[j]);
        }
        assertArrayEquals(new double[] {6.25, Double.NEGATIVE_INFINITY, 6.25, 6.25}, s.rowSums(), 0);
        assertEquals(0.25, s.stats().min());
    }

    @Test
    void zeroExtremaKeepTheSignOfTheFirstZero() {
        float[] v = new float[50];
        v[3] = -0f;
        for (int i = 10; i < 50; i++) {
            v[i] = i % 2 == 0 ? 0f : -0f;
        }
        Step s = StepAccumulator.of("z", new long[] {50}, DType.FLOAT32, v);
        assertEquals(0.0, s.stats().min()); // v[0] = +0 comes first
        assertEquals(50, s.stats().zeros());
        v[0] = 1f;
        v[1] = 2f;
        v[2] = 3f;
        Step t = StepAccumulator.of("z", new long[] {50}, DType.FLOAT32, v);
        assertEquals(-0.0, t.stats().min());
        assertEquals(3.0, t.stats().max());
    }

    @Test
    void allNonFiniteHasNullExtrema() {
        Step s = StepAccumulator.of("n", new long[] {1}, DType.FLOAT32, new float[] {Float.NaN});
        assertNull(s.stats().min());
        assertNull(s.stats().max());
    }

    @Test
    void rejectsTooFewOrTooManyValues() {
        StepAccumulator acc = new StepAccumulator().begin("x", new long[] {2, 2}, DType.FLOAT32);
        acc.add(new float[3]);
        assertThrows(IllegalStateException.class, acc::finish);
        StepAccumulator acc2 = new StepAccumulator().begin("x", new long[] {2}, DType.FLOAT32);
        assertThrows(IllegalArgumentException.class, () -> acc2.add(new float[3]));
    }
}
