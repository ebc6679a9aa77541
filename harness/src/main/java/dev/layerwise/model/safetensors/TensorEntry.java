package dev.layerwise.model.safetensors;

import dev.layerwise.numeric.Shapes;
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
        return Shapes.elementCount(shape);
    }

    public long byteSize() {
        return end - begin;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
