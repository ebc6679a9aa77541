package dev.layerwise.engine.kernels;

import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.DType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 2-D weight tensor [rows, cols] read in place from its (memory-mapped) segment in the stored dtype.
 * Rows are decoded on demand into a caller's scratch array: nothing of the model is copied whole.
 */
public final class WeightMatrix {
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    static final VectorSpecies<Short> SHORTS = VectorShape.forBitSize(FLOATS.length() * 16).withLanes(short.class);

    private final Tensor tensor;
    private final int rows;
    private final int cols;
    private final DType stored;
    private final MemorySegment data;
    private final boolean vectorReadable;

    public WeightMatrix(Tensor tensor) {
        if (tensor.shape().length != 2) {
            throw new IllegalArgumentException(tensor.name() + ": expected a 2-D tensor, got " + tensor.shapeString());
        }
        this.tensor = tensor;
        this.rows = Math.toIntExact(tensor.shape()[0]);
        this.cols = Math.toIntExact(tensor.shape()[1]);
        this.stored = tensor.dtype();
        this.data = tensor.data();
        // The Vector API reads native segments and byte[]-backed heap segments only.
        this.vectorReadable = data.isNative() || data.heapBase().map(b -> b instanceof byte[]).orElse(false);
    }

    public Tensor tensor() {
        return tensor;
    }

    public String name() {
        return tensor.name();
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public DType storedDtype() {
        return stored;
    }

    /** Decodes row {@code row} into {@code dst[off .. off+cols)} as float (exact widening). */
    public void decodeRow(int row, float[] dst, int off) {
        decodeRow(row, 0, cols, dst, off);
    }

    /** Decodes columns {@code [from, from + count)} of row {@code row} into {@code dst[off ..]} as float. */
    public void decodeRow(int row, int from, int count, float[] dst, int off) {
        long first = (long) row * cols + from;
        int i = 0;
        if (vectorReadable && stored != DType.FLOAT64) {
            int lanes = FLOATS.length();
            int upper = count - count % lanes;
            long byteBase = first * stored.byteSize();
            switch (stored) {
                case FLOAT32 -> {
                    for (; i < upper; i += lanes) {
                        FloatVector.fromMemorySegment(FLOATS, data, byteBase + 4L * i, ByteOrder.LITTLE_ENDIAN)
                                .intoArray(dst, off + i);
                    }
                }
                case BFLOAT16 -> {
                    for (; i < upper; i += lanes) {
                        widen(byteBase + 2L * i).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                                .intoArray(dst, off + i);
                    }
                }
                case FLOAT16 -> {
                    for (; i < upper; i += lanes) {
                        halfToFloat(widen(byteBase + 2L * i)).intoArray(dst, off + i);
                    }
                }
                default -> throw new IllegalStateException(stored.toString());
            }
        }
        for (; i < count; i++) {
            dst[off + i] = tensor.getFloat(first + i);
        }
    }

    /** Decodes row {@code row} into {@code dst[off .. off+cols)} as double (exact). */
    public void decodeRow(int row, double[] dst, int off) {
        long first = (long) row * cols;
        for (int i = 0; i < cols; i++) {
            dst[off + i] = tensor.getDouble(first + i);
        }
    }

    private IntVector widen(long byteOffset) {
        ShortVector s = ShortVector.fromMemorySegment(SHORTS, data, byteOffset, ByteOrder.LITTLE_ENDIAN);
        return (IntVector) s.convertShape(VectorOperators.S2I, INTS, 0);
    }

    /**
     * IEEE half bits (low 16 bits of each lane, sign-extended) to float, exact: magnitude bits moved into
     * the float exponent/mantissa position and rescaled by 2^112 (handles subnormals too); infinities
     * and NaNs get the all-ones float exponent.
     */
    static FloatVector halfToFloat(IntVector h) {
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector magnitude = h.and(0x7fff);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7c00);
        IntVector bits = finite.blend(shifted.or(0x70000000), special);
        return bits.or(sign).reinterpretAsFloats();
    }
}
