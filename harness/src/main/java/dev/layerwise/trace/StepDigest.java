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

/**
 * A step's {@code sha256} (trace-format-v1): SHA-256 of the values as little-endian bytes in the step
 * dtype, in canonical order. {@link StepAccumulator} hashes through it; so does the opencl engine, whose
 * statistics come from the device. Not thread-safe; reusable across steps.
 */
public final class StepDigest {
    private static final int DIGEST_BUFFER = 1 << 16;
    /** Values converted per {@code add} call: the digest buffer holds that many in any dtype. */
    static final int CHUNK = DIGEST_BUFFER / 8;
    /** Whether 512-bit vectors are native here; then 2-byte values are converted for hashing 16 or 32 at a time. */
    private static final boolean FAST_HALVES = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
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

    StepDigest add(float[] v, int off, int n) {
        byte[] b = digestBuffer;
        int pos = 0;
        switch (dtype) {
            case FLOAT16 -> {
                int p = FAST_HALVES ? float16Bytes(v, off, n, b) : 0;
                pos = 2 * p;
                for (; p < n; p++, pos += 2) {
                    SHORTS.set(b, pos, Float.floatToFloat16(v[off + p]));
                }
            }
            case BFLOAT16 -> {
                int p = FAST_HALVES ? bfloat16Bytes(v, off, n, b) : 0;
                pos = 2 * p;
                for (; p < n; p++, pos += 2) {
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
        return this;
    }

    /**
     * Writes the bfloat16 bytes of {@code v[off ..]} (rounded to nearest even, NaN quieted, as
     * {@link BFloat16#fromFloat}) 16 at a time; returns how many were written.
     */
    private static int bfloat16Bytes(float[] v, int off, int n, byte[] out) {
        int p = 0;
        for (; p + 16 <= n; p += 16) {
            IntVector bits = FloatVector.fromArray(FloatVector.SPECIES_512, v, off + p).reinterpretAsInts();
            IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
            IntVector rounded = bits.add(high.and(1).add(0x7fff)).lanewise(VectorOperators.LSHR, 16);
            VectorMask<Integer> nan = bits.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
            IntVector result = rounded.blend(high.or(0x40), nan);
            // reinterpreting lanes as bytes is little-endian by definition
            result.convertShape(VectorOperators.I2S, ShortVector.SPECIES_256, 0).reinterpretAsBytes().intoArray(out, 2 * p);
        }
        return p;
    }

    /** Writes the float16 bytes of {@code v[off .. off+n)} (a loop the JIT vectorizes, then a vector copy). */
    private int float16Bytes(float[] v, int off, int n, byte[] out) {
        short[] h = halves;
        for (int p = 0; p < n; p++) {
            h[p] = Float.floatToFloat16(v[off + p]);
        }
        int p = 0;
        for (; p + 32 <= n; p += 32) {
            ShortVector.fromArray(ShortVector.SPECIES_512, h, p).reinterpretAsBytes().intoArray(out, 2 * p);
        }
        return p;
    }

    StepDigest add(double[] v, int off, int n) {
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
        return this;
    }

}
