package dev.layerwise.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.SketchSpec;
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
 * file; Java records the same values with {@link StepAccumulator} (with the trace's sketch spec) and every field
 * must be bit-identical.
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
        SketchSpec sketch = trace.sketch() == null ? SketchSpec.DEFAULT : trace.sketch();
        for (Step actual : trace.steps()) {
            assertStepEquals(javaStep(actual, sketch, bytes), actual);
        }
        assertEquals(0, bytes.remaining(), "raw values left over after the last step");
        return trace.steps().size();
    }

    /** Java's recording of the next {@code step.elementCount()} raw values, with the step's name, shape, dtype. */
    private static Step javaStep(Step step, SketchSpec sketch, ByteBuffer bytes) {
        StepAccumulator acc = new StepAccumulator(sketch).begin(step.name(), step.shape(), step.dtype());
        if (step.dtype() == DType.FLOAT64) {
            acc.add(doubles(step, bytes));
        } else {
            acc.add(floats(step, bytes));
        }
        return acc.finish();
    }

    /** The raw values of step {@code name} of {@code trace}, widened to double (skipping the steps before it). */
    public static double[] valuesOf(Trace trace, Path raw, String name) {
        ByteBuffer bytes;
        try {
            bytes = ByteBuffer.wrap(Files.readAllBytes(raw)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Step step : trace.steps()) {
            double[] v;
            if (step.dtype() == DType.FLOAT64) {
                v = doubles(step, bytes);
            } else {
                float[] f = floats(step, bytes);
                v = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    v[i] = f[i];
                }
            }
            if (step.name().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no step " + name + " in the trace");
    }

    private static double[] doubles(Step step, ByteBuffer bytes) {
        double[] v = new double[Math.toIntExact(step.elementCount())];
        bytes.asDoubleBuffer().get(v);
        bytes.position(bytes.position() + 8 * v.length);
        return v;
    }

    /** The next values of a float32, float16 or bfloat16 step, as floats. */
    private static float[] floats(Step step, ByteBuffer bytes) {
        float[] v = new float[Math.toIntExact(step.elementCount())];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (step.dtype()) {
                case FLOAT32 -> Float.intBitsToFloat(bytes.getInt());
                case FLOAT16 -> Float.float16ToFloat(bytes.getShort());
                default -> BFloat16.toFloat(bytes.getShort());
            };
        }
        return v;
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
