package dev.layerwise.trace;

import dev.layerwise.numeric.DType;

/**
 * Computes a {@link Step}'s statistics, per-row sums, sketch and SHA-256 from the tensor's values in
 * canonical row-major order. This is the one implementation every producer in the project calls.
 *
 * <p>Usage: {@code begin(name, shape, dtype)}, then {@code add(...)} the values in order (any chunking),
 * then {@code finish()}. An accumulator is reusable across steps and allocates only the arrays of the
 * finished {@link Step}; it is not thread-safe. Values passed for an f16/bf16 step must already be
 * representable in that dtype (the engines round before recording); they are hashed as 2-byte values.
 *
 * <p>Sums are float64 in the fixed order of {@link LaneAccumulator} (8 lane partial sums by flat index,
 * reduced in a fixed tree): values are buffered in blocks aligned to flat indices, so results depend on
 * neither the chunking of {@code add} calls nor the hardware.
 */
public final class StepAccumulator {
    /** Elements summarized at a time; a multiple of 64 so that blocks start on whole sign words. */
    private static final int BLOCK = 2048;

    private final SketchSpec sketchSpec;
    private final RademacherSigns signs;
    private final StepDigest sha = new StepDigest();
    private final double[] block = new double[BLOCK];
    private final double[] rowResult = new double[2];
    private final LaneAccumulator lanes;
    private final boolean hashes;

    private String name;
    private long[] shape;
    private DType dtype;
    private long expected;
    private long rowLength;
    /** Values added so far; {@code block} holds those from {@code blockStart} on. */
    private long index;
    private long blockStart;
    private double[] rowSums;
    private double[] rowSumSq;

    public StepAccumulator(SketchSpec sketchSpec) {
        this(sketchSpec, LaneAccumulator.VectorWidth.forThisCpu());
    }

    /** With the given vector width (all give the same results; tests compare them). */
    StepAccumulator(SketchSpec sketchSpec, LaneAccumulator.VectorWidth width) {
        this(sketchSpec, width, true);
    }

    private StepAccumulator(SketchSpec sketchSpec, LaneAccumulator.VectorWidth width, boolean hashes) {
        this.hashes = hashes;
        this.sketchSpec = sketchSpec;
        this.signs = RademacherSigns.of(sketchSpec);
        this.lanes = new LaneAccumulator(sketchSpec.k(), width);
    }

    public StepAccumulator() {
        this(SketchSpec.DEFAULT);
    }

    /**
     * An accumulator whose steps have no {@code sha256} (null): for a producer that hashes the values elsewhere,
     * e.g. many steps at once with {@link BatchedStepHashes}.
     */
    public static StepAccumulator withoutHash(SketchSpec sketchSpec) {
        return new StepAccumulator(sketchSpec, LaneAccumulator.VectorWidth.forThisCpu(), false);
    }

    public SketchSpec sketchSpec() {
        return sketchSpec;
    }

    public StepAccumulator begin(String stepName, long[] stepShape, DType stepDtype) {
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
        this.blockStart = 0;
        lanes.reset(signs.negativeBits(n));
        rowSums = new double[(int) stepShape[0]];
        rowSumSq = new double[(int) stepShape[0]];
        sha.begin(stepDtype);
        return this;
    }

    /** Adds {@code length} float values (rounded to the step dtype already) in canonical order. */
    public StepAccumulator add(float[] values, int offset, int length) {
        checkRoom(length);
        int done = 0;
        while (done < length) {
            int at = (int) (index - blockStart);
            int n = Math.min(BLOCK - at, length - done);
            if (hashes) {
                sha.add(values, offset + done, n);
            }
            double[] b = block;
            for (int p = 0; p < n; p++) {
                b[at + p] = values[offset + done + p];
            }
            accepted(n);
            done += n;
        }
        return this;
    }

    public StepAccumulator add(float[] values) {
        return add(values, 0, values.length);
    }

    /** Adds float64 values (a float64 step, e.g. the oracle engine). */
    public StepAccumulator add(double[] values, int offset, int length) {
        checkRoom(length);
        int done = 0;
        while (done < length) {
            int at = (int) (index - blockStart);
            int n = Math.min(BLOCK - at, length - done);
            if (hashes) {
                sha.add(values, offset + done, n);
            }
            System.arraycopy(values, offset + done, block, at, n);
            accepted(n);
            done += n;
        }
        return this;
    }

    public StepAccumulator add(double[] values) {
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

    private void accepted(int n) {
        index += n;
        if (index - blockStart == BLOCK) {
            summarizeBlock();
        }
    }

    /** Hands the buffered values to the lanes, split at row boundaries, and empties the buffer. */
    private void summarizeBlock() {
        int filled = (int) (index - blockStart);
        int p = 0;
        while (p < filled) {
            long flat = blockStart + p;
            int row = (int) (flat / rowLength);
            long rowEnd = (row + 1) * rowLength;
            int end = (int) Math.min(filled, rowEnd - blockStart);
            lanes.add(block, p, end, blockStart);
            if (blockStart + end == rowEnd) {
                lanes.endRow(rowResult);
                rowSums[row] = rowResult[0];
                rowSumSq[row] = rowResult[1];
            }
            p = end;
        }
        blockStart = index;
    }

    /** Completes the step. Throws when fewer values were added than the shape holds. */
    public Step finish() {
        if (index != expected) {
            throw new IllegalStateException(name + ": got " + index + " values, shape "
                    + java.util.Arrays.toString(shape) + " holds " + expected);
        }
        summarizeBlock();
        String hash = hashes ? sha.finish() : null;
        double min = lanes.min();
        double max = lanes.max();
        boolean anyFinite = min <= max;
        Stats stats = new Stats(expected, lanes.sum(), lanes.absSum(), lanes.sumSq(), anyFinite ? min : null,
                anyFinite ? max : null, lanes.nan(), lanes.posInf(), lanes.negInf(), lanes.zeros());
        Step step = new Step(name, shape, dtype, stats, rowSums, rowSumSq, lanes.sketch(), hash);
        name = null;
        return step;
    }

    /** One-shot convenience. */
    public static Step of(String name, long[] shape, DType dtype, float[] values) {
        return new StepAccumulator().begin(name, shape, dtype).add(values).finish();
    }
}
