package dev.layerwise.trace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Little-endian float16/bfloat16 bytes (as a step's hash covers them) widened to float64. */
final class HalfBytes {
    private static final VarHandle SHORTS =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    /** Int lanes per step of the vector loop: 16 on AVX-512, 8 on AVX2, null where vectors are narrower. */
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256
            ? VectorSpecies.of(int.class,
                    VectorShape.forBitSize(Math.min(512, IntVector.SPECIES_PREFERRED.vectorBitSize())))
            : null;
    private static final VectorSpecies<Byte> BYTES = INTS == null ? null
            : VectorSpecies.of(byte.class, VectorShape.forBitSize(INTS.vectorBitSize() / 2));
    private static final VectorSpecies<Double> DOUBLES = INTS == null ? null
            : VectorSpecies.of(double.class, VectorShape.forBitSize(INTS.vectorBitSize()));

    private HalfBytes() {
    }

    /** {@code out[at + p] = } the bfloat16 value at bytes {@code from + 2p}, for p in [0, n). */
    static void bfloat16ToDoubles(byte[] bytes, int from, int n, double[] out, int at) {
        int p = INTS != null ? bfloat16Vectors(bytes, from, n, out, at) : 0;
        for (; p < n; p++) {
            out[at + p] = Float.intBitsToFloat((short) SHORTS.get(bytes, from + 2 * p) << 16);
        }
    }

    private static int bfloat16Vectors(byte[] bytes, int from, int n, double[] out, int at) {
        int lanes = INTS.length();
        int half = lanes / 2;
        int p = 0;
        for (; p + lanes <= n; p += lanes) {
            IntVector bits = (IntVector) ByteVector.fromArray(BYTES, bytes, from + 2 * p).reinterpretAsShorts()
                    .convertShape(VectorOperators.S2I, INTS, 0);
            FloatVector f = bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            ((DoubleVector) f.convertShape(VectorOperators.F2D, DOUBLES, 0)).intoArray(out, at + p);
            ((DoubleVector) f.convertShape(VectorOperators.F2D, DOUBLES, 1)).intoArray(out, at + p + half);
        }
        return p;
    }

    /**
     * {@code out[at + p] = } the float16 value at bytes {@code from + 2p}, for p in [0, n), through {@code shorts} and
     * {@code floats} (scratch of at least n): the bytes copied as shorts a vector at a time, so that the JIT turns the
     * conversion loops into vector instructions.
     */
    static void float16ToDoubles(byte[] bytes, int from, int n, double[] out, int at, short[] shorts, float[] floats) {
        int p = INTS != null ? shortVectors(bytes, from, n, shorts) : 0;
        for (; p < n; p++) {
            shorts[p] = (short) SHORTS.get(bytes, from + 2 * p);
        }
        for (int i = 0; i < n; i++) {
            floats[i] = Float.float16ToFloat(shorts[i]);
        }
        for (int i = 0; i < n; i++) {
            out[at + i] = floats[i];
        }
    }

    private static int shortVectors(byte[] bytes, int from, int n, short[] shorts) {
        int lanes = BYTES.length() / 2;
        int p = 0;
        for (; p + lanes <= n; p += lanes) {
            ByteVector.fromArray(BYTES, bytes, from + 2 * p).reinterpretAsShorts().intoArray(shorts, p);
        }
        return p;
    }
}
