package dev.layerwise.trace;

import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A naive scalar accumulator straight from the spec (every sum in element order, the sketch as the signed
 * sum of r_j(i) * x_i), the reference the optimized {@link StepAccumulator} is checked against.
 * (original doc) Computes a {@link Step}'s statistics, per-row sums, sketch and SHA-256 from the tensor's values in
 * canonical row-major order. This is the one implementation every producer in the project calls.
 *
 * <p>Usage: {@code begin(name, shape, dtype)}, then {@code add(...)} the values in order (any chunking),
 * then {@code finish()}. An accumulator is reusable across steps and allocates only the arrays of the
 * finished {@link Step}; it is not thread-safe. Values passed for an f16/bf16 step must already be
 * representable in that dtype (the engines round before recording); they are hashed as 2-byte values.
 */
final class ReferenceStepAccumulator {
    private static final int DIGEST_BUFFER = 1 << 16;

    private final SketchSpec sketchSpec;
    private final RademacherSigns signs;
    private final MessageDigest sha;
    private final ByteBuffer digestBuffer = ByteBuffer.allocate(DIGEST_BUFFER).order(ByteOrder.LITTLE_ENDIAN);

    private String name;
    private long[] shape;
    private DType dtype;
    private long expected;
    private long rowLength;
    private long index;
    private long[][] signBits;

    private double sum;
    private double absSum;
    private double sumSq;
    private double min;
    private double max;
    private long nan;
    private long posInf;
    private long negInf;
    private long zeros;
    private double[] rowSums;
    private double[] rowSumSq;
    /** The signed sums sum_i r_j(i) x_i. */
    private double[] sketchNegative;

    ReferenceStepAccumulator(SketchSpec sketchSpec) {
        this.sketchSpec = sketchSpec;
        this.signs = RademacherSigns.of(sketchSpec);
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    ReferenceStepAccumulator() {
        this(SketchSpec.DEFAULT);
    }

    public SketchSpec sketchSpec() {
        return sketchSpec;
    }

    ReferenceStepAccumulator begin(String stepName, long[] stepShape, DType stepDtype) {
        if (stepShape.length == 0) {
            throw new IllegalArgumentException(stepName + ": a step needs at least one axis");
        }
        this.name = stepName;
        this.shape = stepShape.clone();
        this.dtype = stepDtype;
        long n = 1;
        for (long d : stepShape) {
            n *= d;
        }
        this.expected = n;
        this.rowLength = stepShape[0] == 0 ? 1 : n / stepShape[0];
        this.index = 0;
        this.signBits = signs.negativeBits(n);
        sum = 0;
        absSum = 0;
        sumSq = 0;
        min = Double.POSITIVE_INFINITY;
        max = Double.NEGATIVE_INFINITY;
        nan = 0;
        posInf = 0;
        negInf = 0;
        zeros = 0;
        rowSums = new double[(int) stepShape[0]];
        rowSumSq = new double[(int) stepShape[0]];
        sketchNegative = new double[sketchSpec.k()];
        sha.reset();
        digestBuffer.clear();
        return this;
    }

    /** Adds {@code length} float values (rounded to the step dtype already) in canonical order. */
    ReferenceStepAccumulator add(float[] values, int offset, int length) {
        checkRoom(length);
        for (int p = 0; p < length; p++) {
            float v = values[offset + p];
            accept(v);
            digestFloat(v);
        }
        return this;
    }

    ReferenceStepAccumulator add(float[] values) {
        return add(values, 0, values.length);
    }

    /** Adds float64 values (a float64 step, e.g. the oracle engine). */
    ReferenceStepAccumulator add(double[] values, int offset, int length) {
        checkRoom(length);
        for (int p = 0; p < length; p++) {
            double v = values[offset + p];
            accept(v);
            digestDouble(v);
        }
        return this;
    }

    ReferenceStepAccumulator add(double[] values) {
        return add(values, 0, values.length);
    }

    private void checkRoom(int length) {
        if (name == null) {
            throw new IllegalStateException("begin() was not called");
        }
        if (index + length > expected) {
            throw new IllegalArgumentException(name + ": more values than shape " + java.util.Arrays.toString(shape)
                    + " holds (" + expected + ")");
        }
    }

    private void accept(double v) {
        long i = index++;
        int row = (int) (i / rowLength);
        sum += v;
        absSum += Math.abs(v);
        double sq = v * v;
        sumSq += sq;
        rowSums[row] += v;
        rowSumSq[row] += sq;
        if (Double.isNaN(v)) {
            nan++;
        } else if (v == Double.POSITIVE_INFINITY) {
            posInf++;
        } else if (v == Double.NEGATIVE_INFINITY) {
            negInf++;
        } else {
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
            if (v == 0) {
                zeros++;
            }
        }
        int word = (int) (i >>> 6);
        int bit = (int) (i & 63);
        long[][] bits = signBits;
        for (int j = 0; j < sketchNegative.length; j++) {
            sketchNegative[j] += ((bits[j][word] >>> bit) & 1L) != 0 ? -v : v;
        }
    }

    private void digestFloat(float v) {
        if (digestBuffer.remaining() < 8) {
            flushDigest();
        }
        switch (dtype) {
            case FLOAT32 -> digestBuffer.putFloat(v);
            case FLOAT16 -> digestBuffer.putShort(Float.floatToFloat16(v));
            case BFLOAT16 -> digestBuffer.putShort(BFloat16.fromFloat(v));
            case FLOAT64 -> digestBuffer.putDouble(v);
        }
    }

    private void digestDouble(double v) {
        if (digestBuffer.remaining() < 8) {
            flushDigest();
        }
        switch (dtype) {
            case FLOAT64 -> digestBuffer.putDouble(v);
            case FLOAT32 -> digestBuffer.putFloat((float) v);
            case FLOAT16 -> digestBuffer.putShort(Float.floatToFloat16((float) v));
            case BFLOAT16 -> digestBuffer.putShort(BFloat16.fromFloat((float) v));
        }
    }

    private void flushDigest() {
        digestBuffer.flip();
        sha.update(digestBuffer);
        digestBuffer.clear();
    }

    /** Completes the step. Throws when fewer values were added than the shape holds. */
    public Step finish() {
        if (index != expected) {
            throw new IllegalStateException(name + ": got " + index + " values, shape "
                    + java.util.Arrays.toString(shape) + " holds " + expected);
        }
        flushDigest();
        String hash = HexFormat.of().formatHex(sha.digest());
        double[] sketch = new double[sketchNegative.length];
        for (int j = 0; j < sketch.length; j++) {
            sketch[j] = sketchNegative[j];
        }
        boolean anyFinite = min <= max;
        Stats stats = new Stats(expected, sum, absSum, sumSq, anyFinite ? min : null, anyFinite ? max : null,
                nan, posInf, negInf, zeros);
        Step step = new Step(name, shape, dtype, stats, rowSums, rowSumSq, sketch, hash);
        name = null;
        return step;
    }

    /** One-shot convenience. */
    public static Step of(String name, long[] shape, DType dtype, float[] values) {
        return new ReferenceStepAccumulator().begin(name, shape, dtype).add(values).finish();
    }
}
