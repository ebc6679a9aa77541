package dev.layerwise.trace;

import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A step's {@code sha256} (trace-format-v1): SHA-256 of the values as little-endian bytes in the step
 * dtype, in canonical order. {@link StepAccumulator} hashes through it; so does the opencl engine, whose
 * statistics come from the device. Not thread-safe; reusable across steps.
 */
public final class StepDigest {
    private static final int DIGEST_BUFFER = 1 << 16;
    /** Values converted per {@code add} call: the digest buffer holds that many in any dtype. */
    static final int CHUNK = DIGEST_BUFFER / 8;
    /**
     * The float vectors 2-byte values are converted with (512 or 256 bits where the CPU has them natively), or null
     * where only narrower vectors are: then the scalar conversion is faster than the Vector API's fallback.
     */
    private static final VectorSpecies<Float> HALF_VECTORS = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
            ? VectorSpecies.of(float.class,
                    VectorShape.forBitSize(Math.min(512, FloatVector.SPECIES_PREFERRED.vectorBitSize())))
            : null;
    private static final VectorSpecies<Short> HALF_SHORTS = HALF_VECTORS == null ? null
            : VectorSpecies.of(short.class, VectorShape.forBitSize(HALF_VECTORS.vectorBitSize() / 2));
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final MessageDigest sha;
    private final byte[] digestBuffer = new byte[DIGEST_BUFFER];
    private final short[] halves = new short[CHUNK];
    private DType dtype;

    public StepDigest() {
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Starts the hash of a step whose values are stored as {@code stepDtype}. */
    public StepDigest begin(DType stepDtype) {
        this.dtype = stepDtype;
        sha.reset();
        return this;
    }

    /** The hex digest of everything added since {@link #begin}. */
    public String finish() {
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Adds {@code v[off .. off+n)} (values representable in the step dtype), in canonical order. */
    public StepDigest addAll(float[] v, int off, int n) {
        for (int done = 0; done < n; done += CHUNK) {
            add(v, off + done, Math.min(CHUNK, n - done));
        }
        return this;
    }

    /** {@link #addAll(float[], int, int)} for float64 values. */
    public StepDigest addAll(double[] v, int off, int n) {
        for (int done = 0; done < n; done += CHUNK) {
            add(v, off + done, Math.min(CHUNK, n - done));
        }
        return this;
    }

    StepDigest add(float[] v, int off, int n) {
        sha.update(digestBuffer, 0, encode(dtype, v, off, n, digestBuffer, 0));
        return this;
    }

    /**
     * Writes {@code v[off .. off+n)} (values representable in {@code dtype}) as the little-endian bytes of
     * {@code dtype} into {@code out} from {@code pos}; returns the number of bytes written. These are the bytes a
     * step's {@code sha256} covers.
     */
    public int encode(DType dtype, float[] v, int off, int n, byte[] out, int pos) {
        int start = pos;
        switch (dtype) {
            case FLOAT16 -> {
                int p = HALF_VECTORS != null ? float16Bytes(v, off, n, out, pos) : 0;
                pos += 2 * p;
                for (; p < n; p++, pos += 2) {
                    SHORTS.set(out, pos, Float.floatToFloat16(v[off + p]));
                }
            }
            case BFLOAT16 -> {
                int p = HALF_VECTORS != null ? bfloat16Bytes(v, off, n, out, pos) : 0;
                pos += 2 * p;
                for (; p < n; p++, pos += 2) {
                    SHORTS.set(out, pos, BFloat16.fromFloat(v[off + p]));
                }
            }
            case FLOAT32 -> {
                for (int p = 0; p < n; p++, pos += 4) {
                    INTS.set(out, pos, Float.floatToRawIntBits(v[off + p]));
                }
            }
            case FLOAT64 -> {
                for (int p = 0; p < n; p++, pos += 8) {
                    LONGS.set(out, pos, Double.doubleToRawLongBits(v[off + p]));
                }
            }
        }
        return pos - start;
    }

    /**
     * Writes the bfloat16 bytes of {@code v[off ..]} (rounded to nearest even, NaN quieted, as
     * {@link BFloat16#fromFloat}) a vector at a time; returns how many values were written.
     */
    private static int bfloat16Bytes(float[] v, int off, int n, byte[] out, int pos) {
        VectorSpecies<Float> floats = HALF_VECTORS;
        VectorSpecies<Short> shorts = HALF_SHORTS;
        int lanes = floats.length();
        int p = 0;
        for (; p + lanes <= n; p += lanes) {
            IntVector bits = FloatVector.fromArray(floats, v, off + p).reinterpretAsInts();
            IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
            IntVector rounded = bits.add(high.and(1).add(0x7fff)).lanewise(VectorOperators.LSHR, 16);
            VectorMask<Integer> nan = bits.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
            IntVector result = rounded.blend(high.or(0x40), nan);
            // reinterpreting lanes as bytes is little-endian by definition
            result.convertShape(VectorOperators.I2S, shorts, 0).reinterpretAsBytes().intoArray(out, pos + 2 * p);
        }
        return p;
    }

    /** Writes the float16 bytes of {@code v[off ..]} (a JIT-vectorized loop, then a vector copy); returns how many. */
    private int float16Bytes(float[] v, int off, int n, byte[] out, int pos) {
        short[] h = halves;
        int done = 0;
        int lanes = HALF_SHORTS.length();
        while (done + lanes <= n) {
            int m = Math.min(h.length, n - done) / lanes * lanes;
            for (int p = 0; p < m; p++) {
                h[p] = Float.floatToFloat16(v[off + done + p]);
            }
            for (int p = 0; p < m; p += lanes) {
                ShortVector.fromArray(HALF_SHORTS, h, p).reinterpretAsBytes().intoArray(out, pos + 2 * (done + p));
            }
            done += m;
        }
        return done;
    }

    /** The hex SHA-256 of {@code bytes[off .. off+length)}: a whole step given as the bytes {@link #encode} writes. */
    String ofBytes(byte[] bytes, int off, int length) {
        sha.reset();
        return addBytes(bytes, off, length).finish();
    }

    /** Adds bytes already encoded as {@link #encode} writes them. */
    StepDigest addBytes(byte[] bytes, int off, int length) {
        sha.update(bytes, off, length);
        return this;
    }

    StepDigest add(double[] v, int off, int n) {
        sha.update(digestBuffer, 0, encode(dtype, v, off, n, digestBuffer, 0));
        return this;
    }

    /** {@link #encode(DType, float[], int, int, byte[], int)} for float64 values (each representable in dtype). */
    public int encode(DType dtype, double[] v, int off, int n, byte[] out, int pos) {
        int start = pos;
        switch (dtype) {
            case FLOAT16 -> {
                for (int p = 0; p < n; p++, pos += 2) {
                    SHORTS.set(out, pos, Float.floatToFloat16((float) v[off + p]));
                }
            }
            case BFLOAT16 -> {
                for (int p = 0; p < n; p++, pos += 2) {
                    SHORTS.set(out, pos, BFloat16.fromFloat((float) v[off + p]));
                }
            }
            case FLOAT32 -> {
                for (int p = 0; p < n; p++, pos += 4) {
                    INTS.set(out, pos, Float.floatToRawIntBits((float) v[off + p]));
                }
            }
            case FLOAT64 -> {
                for (int p = 0; p < n; p++, pos += 8) {
                    LONGS.set(out, pos, Double.doubleToRawLongBits(v[off + p]));
                }
            }
        }
        return pos - start;
    }
}
