package dev.layerwise.trace;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.io.Json;
import dev.layerwise.io.JsonErrors;
import dev.layerwise.numeric.DType;
import dev.layerwise.numeric.Shapes;
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
    static final ObjectMapper JSON = Json.TRACES;
    private final Path file;

    private TraceReader(Path file) {
        this.file = file;
    }

    public static Trace read(Path file) {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file);
                JsonParser parser = new OverflowAwareParser(JSON.createParser(in))) {
            root = JSON.readTree(parser);
            rejectTrailingData(parser, file);
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

    /**
     * Hands a float literal too large for a float64 ({@code 1e999999}) to the tree as a BigDecimal, every other
     * number as usual (doubles keep the sign of zero), so that {@link #number} can tell it from the bare token
     * {@code Infinity} and name its field.
     */
    private static final class OverflowAwareParser extends JsonParserDelegate {
        OverflowAwareParser(JsonParser parser) {
            super(parser);
        }

        private boolean overflows() throws IOException {
            // the non-numeric tokens (NaN, Infinity, -Infinity) are the only float tokens without a digit
            return currentToken() == JsonToken.VALUE_NUMBER_FLOAT && Double.isInfinite(getDoubleValue())
                    && getText().chars().anyMatch(Character::isDigit);
        }

        @Override
        public NumberTypeFP getNumberTypeFP() throws IOException {
            return overflows() ? NumberTypeFP.BIG_DECIMAL : super.getNumberTypeFP();
        }

        @Override
        public NumberType getNumberType() throws IOException {
            return overflows() ? NumberType.BIG_DECIMAL : super.getNumberType();
        }
    }

    /** Anything but whitespace after the JSON document: a truncated concatenation, a second document, garbage. */
    private static void rejectTrailingData(JsonParser parser, Path file) throws IOException {
        JsonLocation end = parser.currentLocation();
        boolean trailing;
        try {
            trailing = parser.nextToken() != null;
        } catch (JsonParseException e) {
            trailing = true;
        }
        if (trailing) {
            throw LayerwiseException.badInput(file, null, "trailing data after the JSON document (which ends at line "
                    + end.getLineNr() + ", column " + end.getColumnNr() + ")");
        }
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
        for (long d : shape) {
            if (d < 0) {
                throw error(at + ".shape", "negative dimension " + d);
            }
        }
        long elements;
        try {
            elements = Shapes.elementCount(shape);
        } catch (ArithmeticException e) {
            throw error(at + ".shape", java.util.Arrays.toString(shape) + " overflows the element count");
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
        String accumulationName = optionalText(node, "accumulation");
        DType accumulation = accumulationName == null ? null : dtype(accumulationName, at + ".accumulation");
        Step step = new Step(name, shape, dtype, stats, rowSums, rowSumSq, sketchValues,
                sha == null ? null : sha.toLowerCase(java.util.Locale.ROOT), accumulation);
        String field = at;
        StatsConsistency.check(step, elements).ifPresent(v -> {
            throw error(field + "." + v.field(), v.cause());
        });
        return step;
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
        String[] names = {"nan", "pos_inf", "neg_inf", "zeros"};
        Long[] counts = {nan, posInf, negInf, zeros};
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != null && counts[i] > elements) {
                throw error(at + "." + names[i], "is " + counts[i] + ", more than the " + elements
                        + " elements of the shape");
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

    /**
     * A number, or one of the strings "NaN", "Infinity", "-Infinity" (or the bare tokens). A number written out in
     * digits that a float64 cannot hold ({@code 1e999999}) is an error, not infinity.
     */
    double number(JsonNode n, String at) {
        if (n.isNumber()) {
            double v = n.doubleValue();
            if (Double.isInfinite(v) && (n.isBigDecimal() || n.isBigInteger())) {
                throw error(at, n.asText() + " overflows a float64 (write non-finite values as \"Infinity\" or "
                        + "\"-Infinity\")");
            }
            return v;
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
