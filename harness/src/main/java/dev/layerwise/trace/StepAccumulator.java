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
    /** Runs of +0.0 are skipped in aligned chunks of this many values (a multiple of the 8 lanes). */
    private static final int ZERO_CHUNK = 64;

    private final SketchSpec sketchSpec;
    private final RademacherSigns signs;
    private final StepDigest sha = new StepDigest();
    private final double[] block = new double[BLOCK];
    private final short[] halfScratch = new short[BLOCK];
    private final float[] floatScratch = new float[BLOCK];
    private final double[] rowResult = new double[2];
    private final LaneAccumulator lanes;
    private final boolean hashes;
    /** False only in tests, which check that counting runs of zeros gives the same step as adding them. */
    private final boolean skipsZeroRuns;

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
        this(sketchSpec, width, hashes, true);
    }

    /** With runs of zeros added value by value or only counted (tests). */
    StepAccumulator(SketchSpec sketchSpec, LaneAccumulator.VectorWidth width, boolean hashes, boolean skipsZeroRuns) {
        this.hashes = hashes;
        this.skipsZeroRuns = skipsZeroRuns;
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

    /**
     * Adds {@code count} values of a float16 or bfloat16 step given as their little-endian bytes, as
     * {@link StepDigest#encode} writes them (the bytes the hash covers), from value {@code offset} of {@code bytes}.
     */
    public StepAccumulator addHalves(byte[] bytes, int offset, int count) {
        if (dtype != DType.FLOAT16 && dtype != DType.BFLOAT16) {
            throw new IllegalArgumentException(name + ": 2-byte values given for a " + dtype + " step");
        }
        checkRoom(count);
        int done = 0;
        while (done < count) {
            int at = (int) (index - blockStart);
            int n = Math.min(BLOCK - at, count - done);
            int from = 2 * (offset + done);
            if (hashes) {
                sha.addBytes(bytes, from, 2 * n);
            }
            if (dtype == DType.BFLOAT16) {
                HalfBytes.bfloat16ToDoubles(bytes, from, n, block, at);
            } else {
                HalfBytes.float16ToDoubles(bytes, from, n, block, at, halfScratch, floatScratch);
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
            if (skipsZeroRuns) {
                addSkippingZeroRuns(p, end);
            } else {
                lanes.add(block, p, end, blockStart);
            }
            if (blockStart + end == rowEnd) {
                lanes.endRow(rowResult);
                rowSums[row] = rowResult[0];
                rowSumSq[row] = rowResult[1];
            }
            p = end;
        }
        blockStart = index;
    }

    /**
     * Adds {@code block[from .. to)} (part of one row), where whole aligned chunks of {@value #ZERO_CHUNK} values of
     * +0.0 (a causal mask's zeros) are only counted: they add nothing to any sum, since the lane sums never hold -0.0
     * (they start at +0.0, and a round-to-nearest sum is -0.0 only when both terms are), so adding +0.0 leaves each
     * unchanged. The values around them go to the lanes in order, as before.
     */
    private void addSkippingZeroRuns(int from, int to) {
        int start = from;
        int c = (from + ZERO_CHUNK - 1) & -ZERO_CHUNK;
        while (c + ZERO_CHUNK <= to) {
            if (!positiveZeros(block, c)) {
                c += ZERO_CHUNK;
                continue;
            }
            int zerosEnd = c + ZERO_CHUNK;
            while (zerosEnd + ZERO_CHUNK <= to && positiveZeros(block, zerosEnd)) {
                zerosEnd += ZERO_CHUNK;
            }
            if (c > start) {
                lanes.add(block, start, c, blockStart);
            }
            lanes.addPositiveZeros(zerosEnd - c);
            start = zerosEnd;
            c = zerosEnd;
        }
        if (to > start) {
            lanes.add(block, start, to, blockStart);
        }
    }

    /** Whether {@code v[c .. c + ZERO_CHUNK)} are all +0.0 (the two ends first: other data rarely gets past them). */
    private static boolean positiveZeros(double[] v, int c) {
        if (Double.doubleToRawLongBits(v[c]) != 0 || Double.doubleToRawLongBits(v[c + ZERO_CHUNK - 1]) != 0) {
            return false;
        }
        long bits = 0;
        for (int p = c + 1; p < c + ZERO_CHUNK - 1; p++) {
            bits |= Double.doubleToRawLongBits(v[p]);
        }
        return bits == 0;
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
