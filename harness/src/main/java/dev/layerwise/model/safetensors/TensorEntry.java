package dev.layerwise.model.safetensors;

import java.util.Arrays;

/**
 * One tensor as described by a safetensors header: its data lies at bytes [begin, end) of the data
 * section (which starts right after the header).
 */
public record TensorEntry(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {

    public TensorEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteSize() {
        return end - begin;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
