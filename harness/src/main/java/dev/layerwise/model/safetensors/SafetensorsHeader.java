package dev.layerwise.model.safetensors;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated safetensors header. {@code headerLength} is the JSON length (the 8-byte prefix not
 * included); {@code tensors} are in data order (ascending begin offset).
 */
public record SafetensorsHeader(long headerLength, Map<String, String> metadata, List<TensorEntry> tensors) {

    public SafetensorsHeader {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    /** Byte offset in the file where the data section starts. */
    public long dataStart() {
        return 8 + headerLength;
    }
}
