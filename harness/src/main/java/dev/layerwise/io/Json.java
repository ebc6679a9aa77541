package dev.layerwise.io;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one place Jackson is configured. Three input contracts need three readers, and each is built once here:
 * plain JSON (HF config.json, the safetensors index, tolerance profiles, everything written), traces and foreign
 * dumps (NaN and Infinity as numbers, as trace-format-v1 and Python's json write them), and safetensors headers
 * (duplicate keys and trailing tokens are errors, as in the reference implementation).
 */
public final class Json {
    /** Plain JSON, and every tree Layerwise builds or writes. */
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    /** Traces and foreign dumps: NaN, Infinity and -Infinity read as numbers. */
    public static final ObjectMapper TRACES = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** Safetensors headers: a duplicate key or anything after the object is an error. */
    public static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private Json() {
    }

    /** Indented output (report.json, tolerance profiles, synthetic config.json, inspect --json). */
    public static ObjectWriter pretty() {
        return PRETTY;
    }
}
