package dev.layerwise.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.numeric.BFloat16;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepAccumulator;
import dev.layerwise.trace.Trace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a trace written by a foreign producer (the C header, the Python helper) against Java: the producer
 * also wrote every step's raw values (little-endian, in the step's dtype, steps in trace order) to one
 * file; Java records the same values with {@link StepAccumulator} and every field must be bit-identical.
 */
public final class RawTensorSteps {
    private RawTensorSteps() {
    }

    /** Asserts each step of {@code trace} equals Java's recording of its raw values; returns the step count. */
    public static int assertBitIdentical(Trace trace, Path raw) {
        ByteBuffer bytes;
        try {
            bytes = ByteBuffer.wrap(Files.readAllBytes(raw)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Step actual : trace.steps()) {
            assertStepEquals(javaStep(actual, bytes), actual);
        }
        assertEquals(0, bytes.remaining(), "raw values left over after the last step");
        return trace.steps().size();
    }

    /** Java's recording of the next {@code step.elementCount()} raw values, with the step's name, shape, dtype. */
    private static Step javaStep(Step step, ByteBuffer bytes) {
        int n = Math.toIntExact(step.elementCount());
        StepAccumulator acc = new StepAccumulator().begin(step.name(), step.shape(), step.dtype());
        switch (step.dtype()) {
            case FLOAT64 -> {
                double[] v = new double[n];
                bytes.asDoubleBuffer().get(v);
                bytes.position(bytes.position() + 8 * n);
                acc.add(v);
            }
            case FLOAT32 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = Float.intBitsToFloat(bytes.getInt());
                }
                acc.add(v);
            }
            case FLOAT16, BFLOAT16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    short h = bytes.getShort();
                    v[i] = step.dtype() == dev.layerwise.numeric.DType.FLOAT16 ? Float.float16ToFloat(h)
                            : BFloat16.toFloat(h);
                }
                acc.add(v);
            }
        }
        return acc.finish();
    }

    /** Every field equal: doubles by their bits (Double.equals), so -0, NaN and the last bit count. */
    public static void assertStepEquals(Step expected, Step actual) {
        String at = actual.name();
        assertArrayEquals(expected.shape(), actual.shape(), at);
        assertEquals(expected.dtype(), actual.dtype(), at);
        assertEquals(expected.stats(), actual.stats(), at + ": stats");
        assertArrayEquals(boxed(expected.rowSums()), boxed(actual.rowSums()), at + ": row_sums");
        assertArrayEquals(boxed(expected.rowSumSq()), boxed(actual.rowSumSq()), at + ": row_sum_sq");
        assertArrayEquals(boxed(expected.sketch()), boxed(actual.sketch()), at + ": sketch");
        assertEquals(expected.sha256(), actual.sha256(), at + ": sha256");
    }

    private static Double[] boxed(double[] v) {
        if (v == null) {
            return null;
        }
        Double[] b = new Double[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }
}
