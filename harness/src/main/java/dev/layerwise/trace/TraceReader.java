package dev.layerwise.trace;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.io.JsonErrors;
import dev.layerwise.numeric.DType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates trace-format-v1 files. Unknown fields are ignored; a missing required field,
 * a wrong type or an inconsistent value is a {@link LayerwiseException} (exit 2) naming the file and
 * the field, e.g. {@code run.json: steps[3] (layers.0.q).stats.sum: expected a number, got "abc"}.
 */
public final class TraceReader {
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final Path file;

    private TraceReader(Path file) {
        this.file = file;
    }

    public static Trace read(Path file) {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = JSON.readTree(in);
        } catch (NoSuchFileException e) {
            throw LayerwiseException.badInput(file, null, "no such file");
        } catch (JacksonException e) {
            throw LayerwiseException.badInput(file, null, JsonErrors.describe(e));
        } catch (IOException e) {
            throw LayerwiseException.badInput(file, null, "cannot read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw LayerwiseException.badInput(file, null, "not a JSON object (is this a Layerwise trace?)");
        }
        return new TraceReader(file).parse(root).withSource(file);
    }

    /** Parses a trace from a JSON tree; {@code file} names it in error messages. */
    public static Trace parse(JsonNode root, Path file) {
        return new TraceReader(file).parse(root);
    }

    private Trace parse(JsonNode root) {
        String format = requiredText(root, "format", "format");
        if (!Trace.FORMAT.equals(format)) {
            throw error("format", "expected \"" + Trace.FORMAT + "\", got \"" + format + "\"");
        }
        JsonNode version = required(root, "version", "version");
        if (!version.isIntegralNumber() || !version.canConvertToInt() || version.asInt() != Trace.VERSION) {
            throw error("version", "unsupported version " + version + " (this reader knows version 1)");
        }
        DType dtype = dtype(requiredText(root, "dtype", "dtype"), "dtype");
        Producer producer = producer(root.get("producer"));
        ModelInfo model = model(root.get("model"));
        JsonNode inputNode = required(root, "input", "input");
        int[] tokenIds = intArray(required(inputNode, "token_ids", "input.token_ids"), "input.token_ids");
        Input input = new Input(tokenIds, optionalText(inputNode, "text"));
        SketchSpec sketch = sketchSpec(root.get("sketch"));

        JsonNode stepsNode = required(root, "steps", "steps");
        if (!stepsNode.isArray()) {
            throw error("steps", "expected an array");
        }
        List<Step> steps = new ArrayList<>(stepsNode.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < stepsNode.size(); i++) {
            Step s = step(stepsNode.get(i), i, sketch);
            if (!seen.add(s.name())) {
                throw error("steps[" + i + "].name", "duplicate step name \"" + s.name() + "\"");
            }
            steps.add(s);
        }
        List<TopLogit> topK = topK(root.get("top_k"));
        return new Trace(producer, model, dtype, input, sketch, steps, topK, null);
    }

    private Step step(JsonNode node, int index, SketchSpec sketch) {
        String at = "steps[" + index + "]";
        if (node == null || !node.isObject()) {
            throw error(at, "expected an object");
        }
        String name = requiredText(node, "name", at + ".name");
        at = at + " (" + name + ")";
        JsonNode shapeNode = required(node, "shape", at + ".shape");
        long[] shape = longArray(shapeNode, at + ".shape");
        if (shape.length == 0) {
            throw error(at + ".shape", "expected at least one axis");
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw error(at + ".shape", "negative dimension " + d);
            }
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw error(at + ".shape", java.util.Arrays.toString(shape) + " overflows the element count");
            }
        }
        DType dtype = dtype(requiredText(node, "dtype", at + ".dtype"), at + ".dtype");
        JsonNode statsNode = required(node, "stats", at + ".stats");
        Stats stats = stats(statsNode, at + ".stats", elements);
        double[] rowSums = optionalDoubles(node, "row_sums", at, shape[0]);
        double[] rowSumSq = optionalDoubles(node, "row_sum_sq", at, shape[0]);
        double[] sketchValues = optionalDoubles(node, "sketch", at, sketch == null ? -1 : sketch.k());
        if (sketchValues != null && sketch == null) {
            throw error(at + ".sketch", "step has a sketch but the trace has no top-level \"sketch\" spec");
        }
        String sha = optionalText(node, "sha256");
        if (sha != null && !sha.matches("[0-9a-fA-F]{64}")) {
            throw error(at + ".sha256", "expected 64 hex digits, got \"" + sha + "\"");
        }
        return new Step(name, shape, dtype, stats, rowSums, rowSumSq, sketchValues,
                sha == null ? null : sha.toLowerCase(java.util.Locale.ROOT));
    }

    private Stats stats(JsonNode node, String at, long elements) {
        if (!node.isObject()) {
            throw error(at, "expected an object");
        }
        double sum = number(required(node, "sum", at + ".sum"), at + ".sum");
        Long count = optionalCount(node, "count", at);
        if (count != null && count != elements) {
            throw error(at + ".count", "is " + count + " but the shape holds " + elements + " elements");
        }
        Long nan = optionalCount(node, "nan", at);
        Long posInf = optionalCount(node, "pos_inf", at);
        Long negInf = optionalCount(node, "neg_inf", at);
        Long zeros = optionalCount(node, "zeros", at);
        for (Long c : new Long[] {nan, posInf, negInf, zeros}) {
            if (c != null && c > elements) {
                throw error(at, "a count (" + c + ") exceeds the " + elements + " elements of the shape");
            }
        }
        return new Stats(count, sum, optionalNumber(node, "abs_sum", at), optionalNumber(node, "sum_sq", at),
                optionalNumber(node, "min", at), optionalNumber(node, "max", at), nan, posInf, negInf, zeros);
    }

    private Producer producer(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw error("producer", "expected an object");
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        JsonNode ex = node.get("extra");
        if (ex != null && ex.isObject()) {
            extra = JSON.convertValue(ex, JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class,
                    Object.class));
        }
        return new Producer(optionalText(node, "name"), optionalText(node, "version"), optionalText(node, "device"),
                optionalText(node, "attn_implementation"), extra);
    }

    private ModelInfo model(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw error("model", "expected an object");
        }
        JsonNode config = node.get("config");
        if (config != null && !config.isNull() && !config.isObject()) {
            throw error("model.config", "expected an object");
        }
        return new ModelInfo(optionalText(node, "architecture"),
                config == null || config.isNull() ? null : (ObjectNode) config,
                optionalText(node, "source"), optionalText(node, "weights_sha256"));
    }

    private SketchSpec sketchSpec(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String kind = requiredText(node, "kind", "sketch.kind");
        if (!SketchSpec.RADEMACHER_SPLITMIX64.equals(kind)) {
            throw error("sketch.kind", "unknown sketch kind \"" + kind + "\" (expected "
                    + SketchSpec.RADEMACHER_SPLITMIX64 + ")");
        }
        JsonNode k = required(node, "k", "sketch.k");
        JsonNode seed = required(node, "seed", "sketch.seed");
        if (!k.isIntegralNumber() || !k.canConvertToInt() || k.asInt() < 1 || k.asInt() > 4096) {
            throw error("sketch.k", "expected an integer in 1..4096, got " + k);
        }
        if (!seed.isIntegralNumber()) {
            throw error("sketch.seed", "expected an integer, got " + seed);
        }
        return new SketchSpec(kind, k.asInt(), seed.bigIntegerValue().longValue());
    }

    private List<TopLogit> topK(JsonNode node) {
        List<TopLogit> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw error("top_k", "expected an array");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode e = node.get(i);
            String at = "top_k[" + i + "]";
            JsonNode id = required(e, "token_id", at + ".token_id");
            if (!id.isIntegralNumber() || !id.canConvertToInt()) {
                throw error(at + ".token_id", "expected an integer, got " + id);
            }
            out.add(new TopLogit(id.asInt(), number(required(e, "logit", at + ".logit"), at + ".logit")));
        }
        return out;
    }

    // --- field helpers -------------------------------------------------------------------------

    private LayerwiseException error(String field, String cause) {
        return LayerwiseException.badInput(file, field, cause);
    }

    private JsonNode required(JsonNode parent, String key, String at) {
        JsonNode n = parent == null ? null : parent.get(key);
        if (n == null || n.isNull()) {
            throw error(at, "missing required field");
        }
        return n;
    }

    private String requiredText(JsonNode parent, String key, String at) {
        JsonNode n = required(parent, key, at);
        if (!n.isTextual()) {
            throw error(at, "expected a string, got " + n);
        }
        return n.asText();
    }

    private String optionalText(JsonNode parent, String key) {
        JsonNode n = parent.get(key);
        return n == null || n.isNull() ? null : n.asText();
    }

    private DType dtype(String s, String at) {
        try {
            return DType.parse(s);
        } catch (IllegalArgumentException e) {
            throw error(at, e.getMessage());
        }
    }

    /** A number, or one of the strings "NaN", "Infinity", "-Infinity". */
    double number(JsonNode n, String at) {
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isTextual()) {
            switch (n.asText()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                case "+Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw error(at, "expected a number, got " + n);
    }

    private Double optionalNumber(JsonNode parent, String key, String at) {
        JsonNode n = parent.get(key);
        return n == null || n.isNull() ? null : number(n, at + "." + key);
    }

    private Long optionalCount(JsonNode parent, String key, String at) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() && !(n.isNumber() && n.doubleValue() == Math.rint(n.doubleValue()))) {
            throw error(at + "." + key, "expected a non-negative integer count, got " + n);
        }
        long v = n.asLong();
        if (v < 0 || (n.isIntegralNumber() && !n.canConvertToLong())) {
            throw error(at + "." + key, "expected a non-negative integer count, got " + n);
        }
        return v;
    }

    private double[] optionalDoubles(JsonNode parent, String key, String at, long expectedLength) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        String field = at + "." + key;
        if (!n.isArray()) {
            throw error(field, "expected an array");
        }
        if (expectedLength >= 0 && n.size() != expectedLength) {
            throw error(field, "has " + n.size() + " values, expected " + expectedLength);
        }
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(n.get(i), field + "[" + i + "]");
        }
        return out;
    }

    private int[] intArray(JsonNode n, String at) {
        if (!n.isArray()) {
            throw error(at, "expected an array of integers");
        }
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = n.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 0) {
                throw error(at + "[" + i + "]", "expected a non-negative integer, got " + e);
            }
            out[i] = e.asInt();
        }
        return out;
    }

    private long[] longArray(JsonNode n, String at) {
        if (!n.isArray()) {
            throw error(at, "expected an array of integers");
        }
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = n.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToLong()) {
                throw error(at + "[" + i + "]", "expected an integer, got " + e);
            }
            out[i] = e.asLong();
        }
        return out;
    }
}
