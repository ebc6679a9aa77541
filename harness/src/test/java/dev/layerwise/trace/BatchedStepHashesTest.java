package dev.layerwise.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchedStepHashesTest {

    /** Steps of every dtype and many sizes (more than the lanes hold, the buffer reused): StepDigest's hashes. */
    @Test
    void givesEveryStepTheHashOfItsOwnDigest() {
        Random random = new Random(5);
        BatchedStepHashes batched = new BatchedStepHashes();
        float[] reused = new float[5000];
        List<String> expected = new ArrayList<>();
        String[] got = new String[90];
        for (int i = 0; i < got.length; i++) {
            DType dtype = DType.values()[i % DType.values().length];
            int count = i % 7 == 0 ? 0 : random.nextInt(reused.length);
            for (int j = 0; j < count; j++) {
                reused[j] = representable(dtype, (float) random.nextGaussian() * 10);
            }
            if (i % 11 == 3 && count > 2) {
                reused[1] = Float.NaN;
                reused[2] = Float.NEGATIVE_INFINITY;
            }
            expected.add(new StepDigest().begin(dtype).addAll(reused, 0, count).finish());
            int index = i;
            batched.add(dtype, reused, count, hash -> got[index] = hash);
        }
        batched.flush();
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected.get(i), got[i], "step " + i);
        }
    }

    @Test
    void hashesWhenTheLanesAreFullAndAtFlushOnly() {
        BatchedStepHashes batched = new BatchedStepHashes();
        int lanes = new MultiBufferSha256().lanes();
        String[] got = new String[2 * lanes];
        float[] values = {1, 2, 3};
        for (int i = 0; i < 2 * lanes - 1; i++) {
            int index = i;
            batched.add(DType.FLOAT32, values, 3, hash -> got[index] = hash);
        }
        assertNull(got[0], "nothing is hashed before a batch fills");
        batched.add(DType.FLOAT32, values, 3, hash -> got[2 * lanes - 1] = hash);
        String one = new StepDigest().begin(DType.FLOAT32).addAll(values, 0, 3).finish();
        for (String hash : got) {
            assertEquals(one, hash);
        }
    }

    /** A step at or over the byte bound is hashed at once; smaller ones wait until the bytes kept reach it. */
    @Test
    void largeStepsAreHashedAtOnceAndTheKeptBytesAreBounded() {
        BatchedStepHashes batched = new BatchedStepHashes(4000, 4000);
        double[] large = new double[500];
        for (int i = 0; i < large.length; i++) {
            large[i] = i * 0.5;
        }
        String[] got = new String[3];
        batched.add(DType.FLOAT64, large, 500, hash -> got[0] = hash);
        assertEquals(new StepDigest().begin(DType.FLOAT64).addAll(large, 0, 500).finish(), got[0]);
        float[] small = new float[600];
        batched.add(DType.FLOAT32, small, 600, hash -> got[1] = hash);
        assertNull(got[1]);
        batched.add(DType.FLOAT32, small, 600, hash -> got[2] = hash);
        assertEquals(new StepDigest().begin(DType.FLOAT32).addAll(small, 0, 600).finish(), got[1],
                "4800 bytes waiting: hashed");
        assertEquals(got[1], got[2]);
    }

    /** A step given as its bytes: the digest of the values they encode, whether it waits for a batch or not. */
    @Test
    void stepsGivenAsBytesGetTheHashOfTheirValues() {
        BatchedStepHashes batched = new BatchedStepHashes(4000, 8000);
        Random random = new Random(9);
        String[] got = new String[4];
        List<String> expected = new ArrayList<>();
        int[] counts = {10, 1999, 2000, 3001};
        for (int i = 0; i < counts.length; i++) {
            DType dtype = i % 2 == 0 ? DType.BFLOAT16 : DType.FLOAT16;
            float[] values = new float[counts[i]];
            for (int j = 0; j < values.length; j++) {
                values[j] = representable(dtype, (float) random.nextGaussian());
            }
            expected.add(new StepDigest().begin(dtype).addAll(values, 0, values.length).finish());
            byte[] bytes = new byte[2 * values.length + 6];
            int length = new StepDigest().encode(dtype, values, 0, values.length, bytes, 0);
            int index = i;
            batched.addBytes(bytes, length, hash -> got[index] = hash);
            java.util.Arrays.fill(bytes, (byte) 7); // the caller may reuse its array at once
        }
        assertNull(got[0], "small steps wait for a batch");
        assertEquals(expected.get(2), got[2], "4000 bytes: hashed at once");
        batched.flush();
        assertEquals(expected, List.of(got));
    }

    private static float representable(DType dtype, float v) {
        return switch (dtype) {
            case FLOAT16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            case BFLOAT16 -> BFloat16.toFloat(BFloat16.fromFloat(v));
            default -> v;
        };
    }
}
