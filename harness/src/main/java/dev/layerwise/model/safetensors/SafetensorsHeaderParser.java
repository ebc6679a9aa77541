package dev.layerwise.model.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.layerwise.LayerwiseException;
import dev.layerwise.io.JsonErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a safetensors header with the rules of the reference Rust implementation:
 * header length limit, a JSON object, an optional string-to-string {@code __metadata__}, known
 * dtypes, non-negative shapes, data offsets that tile the data section exactly (first at 0, each
 * starting where the previous ends, no gap, no overlap), sizes that match shape times dtype size,
 * and a file that ends exactly where the last tensor ends.
 */
final class SafetensorsHeaderParser {
    /** The limit of the reference implementation (safetensors MAX_HEADER_SIZE). */
    static final long MAX_HEADER_LENGTH = 100_000_000L;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path file;

    SafetensorsHeaderParser(Path file) {
        this.file = file;
    }

    /** Checks the 8-byte length prefix against the limit and the file size. */
    void checkHeaderLength(long headerLength, long fileSize) {
        if (headerLength < 0 || headerLength > MAX_HEADER_LENGTH) {
            throw bad("header length", "claims " + Long.toUnsignedString(headerLength)
                    + " bytes, above the limit of " + MAX_HEADER_LENGTH + " bytes");
        }
        if (8 + headerLength > fileSize) {
            throw bad("header length", "claims " + headerLength + " bytes but the file has only "
                    + (fileSize - 8) + " bytes after the 8-byte prefix (truncated or not a safetensors file)");
        }
    }

    SafetensorsHeader parse(byte[] headerBytes, long fileSize) {
        JsonNode root = readJson(headerBytes);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorEntry> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals("__metadata__")) {
                readMetadata(e.getValue(), metadata);
            } else {
                tensors.add(readEntry(e.getKey(), e.getValue()));
            }
        }
        tensors.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        long dataEnd = checkTiling(tensors);
        long dataLength = fileSize - 8 - headerBytes.length;
        if (dataEnd < dataLength) {
            throw bad("data", "the tensors end at data byte " + dataEnd + " but the file has " + dataLength
                    + " data bytes (" + (dataLength - dataEnd) + " unexpected trailing bytes)");
        }
        if (dataEnd > dataLength) {
            TensorEntry last = tensors.getLast();
            throw bad("tensor " + last.name(), "data_offsets end " + last.end() + " is past the end of the file, which has "
                    + dataLength + " data bytes (truncated file)");
        }
        return new SafetensorsHeader(headerBytes.length, metadata, tensors);
    }

    private JsonNode readJson(byte[] headerBytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes)).toString();
        } catch (CharacterCodingException e) {
            throw bad("header", "is not valid UTF-8");
        }
        if (!text.startsWith("{")) {
            throw bad("header", "is not a JSON object (must start with '{')");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw bad("header", JsonErrors.describe(e));
        }
        if (root == null || !root.isObject()) {
            throw bad("header", "is not a JSON object");
        }
        return root;
    }

    private void readMetadata(JsonNode node, Map<String, String> into) {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw bad("__metadata__", "must be an object mapping strings to strings, found " + node.getNodeType());
        }
        for (Map.Entry<String, JsonNode> m : node.properties()) {
            if (!m.getValue().isTextual()) {
                throw bad("__metadata__." + m.getKey(), "must be a string, found " + m.getValue());
            }
            into.put(m.getKey(), m.getValue().textValue());
        }
    }

    private TensorEntry readEntry(String name, JsonNode node) {
        String where = "tensor " + name;
        if (!node.isObject()) {
            throw bad(where, "must be an object with dtype, shape and data_offsets, found " + node.getNodeType());
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw bad(where, "dtype is missing or not a string");
        }
        SafetensorsDType dtype = SafetensorsDType.parse(dtypeNode.textValue());
        if (dtype == null) {
            throw bad(where, "unknown dtype '" + dtypeNode.textValue() + "' (known: "
                    + Arrays.toString(SafetensorsDType.values()) + ")");
        }
        long[] shape = nonNegativeLongs(node.get("shape"), where, "shape", -1);
        long[] offsets = nonNegativeLongs(node.get("data_offsets"), where, "data_offsets", 2);
        if (offsets[1] < offsets[0]) {
            throw bad(where, "data_offsets " + Arrays.toString(offsets) + ": end is before begin");
        }
        long elements = 1;
        for (long d : shape) {
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw bad(where, "shape " + Arrays.toString(shape) + " overflows the element count");
            }
        }
        long bits;
        try {
            bits = Math.multiplyExact(elements, (long) dtype.bits());
        } catch (ArithmeticException e) {
            throw bad(where, "shape " + Arrays.toString(shape) + " overflows the byte size");
        }
        if (bits % 8 != 0) {
            throw bad(where, "shape " + Arrays.toString(shape) + " of " + dtype + " is not a whole number of bytes");
        }
        long expected = bits / 8;
        long actual = offsets[1] - offsets[0];
        if (actual != expected) {
            throw bad(where, "data_offsets " + Arrays.toString(offsets) + " hold " + actual + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + expected + " bytes (size mismatch)");
        }
        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** Each tensor must start where the previous one ends; the first starts at 0. Returns the end. */
    private long checkTiling(List<TensorEntry> sorted) {
        long position = 0;
        String previous = null;
        for (TensorEntry t : sorted) {
            String offsets = "data_offsets [" + t.begin() + ", " + t.end() + "]";
            if (t.begin() > position) {
                throw bad("tensor " + t.name(), offsets + ": gap of " + (t.begin() - position) + " bytes "
                        + (previous == null ? "before the first tensor (must start at 0)"
                                : "after the previous tensor " + previous + ", which ends at " + position));
            }
            if (t.begin() < position) {
                throw bad("tensor " + t.name(), offsets + ": overlaps the previous tensor " + previous
                        + ", which ends at " + position);
            }
            position = t.end();
            previous = t.name();
        }
        return position;
    }

    private long[] nonNegativeLongs(JsonNode node, String where, String field, int requiredLength) {
        String expectation = requiredLength == 2 ? "[begin, end] with non-negative integers"
                : "an array of non-negative integers";
        if (node == null || !node.isArray() || (requiredLength >= 0 && node.size() != requiredLength)) {
            throw bad(where, field + " must be " + expectation + ", found " + node);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw bad(where, field + " must be " + expectation + ", found " + node);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private LayerwiseException bad(String field, String cause) {
        return LayerwiseException.badInput(file, field, cause);
    }
}
