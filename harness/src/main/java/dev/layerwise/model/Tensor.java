package dev.layerwise.model;

import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import dev.layerwise.numeric.Shapes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A named tensor whose little-endian bytes live in {@code data} (usually a slice of a memory-mapped
 * safetensors file: nothing is copied onto the heap). Row-major.
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public long elementCount() {
        return Shapes.elementCount(shape);
    }

    /** Element {@code i} (flat row-major index) widened to float. */
    public float getFloat(long i) {
        return switch (dtype) {
            case FLOAT32 -> data.get(F32, i * 4);
            case FLOAT16 -> Float.float16ToFloat(data.get(I16, i * 2));
            case BFLOAT16 -> BFloat16.toFloat(data.get(I16, i * 2));
            case FLOAT64 -> (float) data.get(F64, i * 8);
        };
    }

    /** Element {@code i} widened to double (exact for every stored dtype). */
    public double getDouble(long i) {
        return dtype == DType.FLOAT64 ? data.get(F64, i * 8) : getFloat(i);
    }

    /** Copies {@code length} elements starting at flat index {@code from} into {@code dst}, widened to float. */
    public void readFloats(long from, float[] dst, int dstOffset, int length) {
        for (int p = 0; p < length; p++) {
            dst[dstOffset + p] = getFloat(from + p);
        }
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
