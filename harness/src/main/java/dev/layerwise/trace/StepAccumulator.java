package dev.layerwise.trace;

import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Computes a {@link Step}'s statistics, per-row sums, sketch and SHA-256 from the tensor's values in
 * canonical row-major order. This is the one implementation every producer in the project calls.
 *
 * <p>Usage: {@code begin(name, shape, dtype)}, then {@code add(...)} the values in order (any chunking),
 * then {@code finish()}. An accumulator is reusable across steps and allocates only the arrays of the
 * finished {@link Step}; it is not thread-safe. Values passed for an f16/bf16 step must already be
 * representable in that dtype (the engines round before recording); they are hashed as 2-byte values.
 *
 * <p>Every sum is a float64 sum in element order (so results do not depend on chunking). The sketch
 * keeps that order per sketch row while handling a vector of rows at once: element i is added, with a
 * lane mask of its negative signs, to the lanes of the rows where r_j(i) = -1.
 */
public final class StepAccumulator {
    private static final int DIGEST_BUFFER = 1 << 16;
    private static final int CHUNK = 4096;
    private static final VectorSpecies<Double> LANES = DoubleVector.SPECIES_PREFERRED;
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final SketchSpec sketchSpec;
    private final RademacherSigns signs;
    private final MessageDigest sha;
    private final byte[] digestBuffer = new byte[DIGEST_BUFFER];
    private final double[] chunk = new double[CHUNK];
    private final boolean vectorSketch;

    private String name;
    private long[] shape;
    private DType dtype;
    private long expected;
    private long rowLength;
    private long index;
    private long[][] signBits;
    private byte[][] laneMasks;

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
    private double[] sketchNegative;
    private double[] sketchLanes;
    private final double[] fusedAcc = new double[7];
    private final long[] fusedCounts = new long[4];

    public StepAccumulator(SketchSpec sketchSpec) {
        this.sketchSpec = sketchSpec;
        this.signs = RademacherSigns.of(sketchSpec);
        this.vectorSketch = sketchSpec.k() > 0 && LANES.length() <= 8;
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    public StepAccumulator() {
        this(SketchSpec.DEFAULT);
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
        if (vectorSketch) {
            this.laneMasks = signs.negativeLaneMasks(n, LANES.length());
            this.sketchLanes = new double[laneMasks.length * LANES.length()];
        } else {
            this.signBits = signs.negativeBits(n);
        }
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
        return this;
    }

    /** Adds {@code length} float values (rounded to the step dtype already) in canonical order. */
    public StepAccumulator add(float[] values, int offset, int length) {
        checkRoom(length);
        for (int done = 0; done < length; done += CHUNK) {
            int n = Math.min(CHUNK, length - done);
            digestFloats(values, offset + done, n);
            for (int p = 0; p < n; p++) {
                chunk[p] = values[offset + done + p];
            }
            acceptRows(chunk, 0, n);
        }
        return this;
    }

    public StepAccumulator add(float[] values) {
        return add(values, 0, values.length);
    }

    /** Adds float64 values (a float64 step, e.g. the oracle engine). */
    public StepAccumulator add(double[] values, int offset, int length) {
        checkRoom(length);
        for (int done = 0; done < length; done += CHUNK) {
            int n = Math.min(CHUNK, length - done);
            digestDoubles(values, offset + done, n);
            acceptRows(values, offset + done, n);
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

    /** Splits a run of values at row boundaries. */
    private void acceptRows(double[] v, int off, int length) {
        int p = 0;
        while (p < length) {
            int row = (int) (index / rowLength);
            long rowEnd = (row + 1) * rowLength;
            int n = (int) Math.min(length - p, rowEnd - index);
            accept(v, off + p, n, row);
            p += n;
        }
    }

    /** Values {@code v[off .. off+n)}, all in row {@code row}, at flat indices {@code index ..}. */
    private void accept(double[] v, int off, int n, int row) {
        if (vectorSketch && laneMasks.length == 2) {
            fusedAcc[0] = sum;
            fusedAcc[1] = absSum;
            fusedAcc[2] = sumSq;
            fusedAcc[3] = rowSums[row];
            fusedAcc[4] = rowSumSq[row];
            fusedAcc[5] = min;
            fusedAcc[6] = max;
            fusedCounts[0] = zeros;
            fusedCounts[1] = nan;
            fusedCounts[2] = posInf;
            fusedCounts[3] = negInf;
            statsAndSketch(v, off, n, laneMasks[0], laneMasks[1], (int) index, sketchLanes, fusedAcc, fusedCounts);
            sum = fusedAcc[0];
            absSum = fusedAcc[1];
            sumSq = fusedAcc[2];
            rowSums[row] = fusedAcc[3];
            rowSumSq[row] = fusedAcc[4];
            min = fusedAcc[5];
            max = fusedAcc[6];
            zeros = fusedCounts[0];
            nan = fusedCounts[1];
            posInf = fusedCounts[2];
            negInf = fusedCounts[3];
            index += n;
            return;
        }
        double s = sum;
        double a = absSum;
        double q = sumSq;
        double rs = rowSums[row];
        double rq = rowSumSq[row];
        double lo = min;
        double hi = max;
        long z = zeros;
        long nans = nan;
        long pos = posInf;
        long neg = negInf;
        for (int p = 0; p < n; p++) {
            double x = v[off + p];
            double sq = x * x;
            s += x;
            a += Math.abs(x);
            q += sq;
            rs += x;
            rq += sq;
            if (Math.abs(x) < Double.POSITIVE_INFINITY) {
                lo = x < lo ? x : lo;
                hi = x > hi ? x : hi;
                z += x == 0 ? 1 : 0;
            } else if (x != x) {
                nans++;
            } else if (x > 0) {
                pos++;
            } else {
                neg++;
            }
        }
        sum = s;
        absSum = a;
        sumSq = q;
        rowSums[row] = rs;
        rowSumSq[row] = rq;
        min = lo;
        max = hi;
        zeros = z;
        nan = nans;
        posInf = pos;
        negInf = neg;
        if (vectorSketch) {
            sketchMasked(v, off, n, laneMasks, (int) index, sketchLanes);
        } else {
            sketchScalar(v, off, n);
        }
        index += n;
    }

    /**
     * Statistics and a two-group sketch in one pass (the common case k = 16 on 8 double lanes).
     * {@code acc} = {sum, abs_sum, sum_sq, row_sum, row_sum_sq, min, max}, {@code counts} = {zeros, nan,
     * +inf, -inf}; both updated in place. Static and small so that the JIT intrinsifies the vector ops.
     */
    private static void statsAndSketch(double[] v, int off, int n, byte[] m0, byte[] m1, int first,
            double[] state, double[] acc, long[] counts) {
        int lanes = LANES.length();
        DoubleVector k0 = DoubleVector.fromArray(LANES, state, 0);
        DoubleVector k1 = DoubleVector.fromArray(LANES, state, lanes);
        double s = acc[0];
        double a = acc[1];
        double q = acc[2];
        double rs = acc[3];
        double rq = acc[4];
        double lo = acc[5];
        double hi = acc[6];
        long z = counts[0];
        long special = 0;
        int base = first - off;
        for (int p = off; p < off + n; p++) {
            double x = v[p];
            DoubleVector bx = DoubleVector.broadcast(LANES, x);
            k0 = k0.add(bx, VectorMask.fromLong(LANES, m0[base + p] & 0xff));
            k1 = k1.add(bx, VectorMask.fromLong(LANES, m1[base + p] & 0xff));
            double sq = x * x;
            s += x;
            a += Math.abs(x);
            q += sq;
            rs += x;
            rq += sq;
            boolean finite = Math.abs(x) < Double.POSITIVE_INFINITY;
            lo = finite && x < lo ? x : lo;
            hi = finite && x > hi ? x : hi;
            z += x == 0 ? 1 : 0;
            special += finite ? 0 : 1;
        }
        k0.intoArray(state, 0);
        k1.intoArray(state, lanes);
        acc[0] = s;
        acc[1] = a;
        acc[2] = q;
        acc[3] = rs;
        acc[4] = rq;
        acc[5] = lo;
        acc[6] = hi;
        counts[0] = z;
        if (special != 0) {
            for (int p = off; p < off + n; p++) {
                double x = v[p];
                if (x != x) {
                    counts[1]++;
                } else if (x == Double.POSITIVE_INFINITY) {
                    counts[2]++;
                } else if (x == Double.NEGATIVE_INFINITY) {
                    counts[3]++;
                }
            }
        }
    }

    /**
     * Sketch rows held in vector lanes: {@code state} holds the running negative-sign sums of every
     * group of lanes; each element is added to the lanes its mask selects. A small static method so that
     * the JIT inlines and intrinsifies the vector operations.
     */
    private static void sketchMasked(double[] v, int off, int n, byte[][] masks, int first, double[] state) {
        int lanes = LANES.length();
        for (int g = 0; g < masks.length; g++) {
            byte[] m = masks[g];
            DoubleVector acc = DoubleVector.fromArray(LANES, state, g * lanes);
            int base = first - off;
            for (int p = off; p < off + n; p++) {
                acc = acc.add(DoubleVector.broadcast(LANES, v[p]), VectorMask.fromLong(LANES, m[base + p] & 0xff));
            }
            acc.intoArray(state, g * lanes);
        }
    }

    private void sketchScalar(double[] v, int off, int n) {
        long[][] bits = signBits;
        for (int p = 0; p < n; p++) {
            double x = v[off + p];
            long i = index + p;
            int word = (int) (i >>> 6);
            int bit = (int) (i & 63);
            for (int j = 0; j < sketchNegative.length; j++) {
                if (((bits[j][word] >>> bit) & 1L) != 0) {
                    sketchNegative[j] += x;
                }
            }
        }
    }

    private void digestFloats(float[] v, int off, int n) {
        byte[] b = digestBuffer;
        int pos = 0;
        switch (dtype) {
            case FLOAT16 -> {
                for (int p = 0; p < n; p++, pos += 2) {
                    SHORTS.set(b, pos, Float.floatToFloat16(v[off + p]));
                }
            }
            case BFLOAT16 -> {
                for (int p = 0; p < n; p++, pos += 2) {
                    SHORTS.set(b, pos, BFloat16.fromFloat(v[off + p]));
                }
            }
            case FLOAT32 -> {
                for (int p = 0; p < n; p++, pos += 4) {
                    INTS.set(b, pos, Float.floatToRawIntBits(v[off + p]));
                }
            }
            case FLOAT64 -> {
                for (int p = 0; p < n; p++, pos += 8) {
                    LONGS.set(b, pos, Double.doubleToRawLongBits(v[off + p]));
                }
            }
        }
        sha.update(b, 0, pos);
    }

    private void digestDoubles(double[] v, int off, int n) {
        byte[] b = digestBuffer;
        int pos = 0;
        switch (dtype) {
            case FLOAT16 -> {
                for (int p = 0; p < n; p++, pos += 2) {
                    SHORTS.set(b, pos, Float.floatToFloat16((float) v[off + p]));
                }
            }
            case BFLOAT16 -> {
                for (int p = 0; p < n; p++, pos += 2) {
                    SHORTS.set(b, pos, BFloat16.fromFloat((float) v[off + p]));
                }
            }
            case FLOAT32 -> {
                for (int p = 0; p < n; p++, pos += 4) {
                    INTS.set(b, pos, Float.floatToRawIntBits((float) v[off + p]));
                }
            }
            case FLOAT64 -> {
                for (int p = 0; p < n; p++, pos += 8) {
                    LONGS.set(b, pos, Double.doubleToRawLongBits(v[off + p]));
                }
            }
        }
        sha.update(b, 0, pos);
    }

    /** Completes the step. Throws when fewer values were added than the shape holds. */
    public Step finish() {
        if (index != expected) {
            throw new IllegalStateException(name + ": got " + index + " values, shape "
                    + java.util.Arrays.toString(shape) + " holds " + expected);
        }
        String hash = HexFormat.of().formatHex(sha.digest());
        if (vectorSketch) {
            System.arraycopy(sketchLanes, 0, sketchNegative, 0, sketchNegative.length);
        }
        double[] sketch = new double[sketchNegative.length];
        for (int j = 0; j < sketch.length; j++) {
            // sketch_j = sum(x) - 2 * sum(x where r_j = -1); sum(x) in element order is `sum`
            sketch[j] = sum - 2 * sketchNegative[j];
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
        return new StepAccumulator().begin(name, shape, dtype).add(values).finish();
    }
}
