package dev.layerwise.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.io.Json;
import dev.layerwise.io.JsonErrors;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.ModelDims;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a Hugging Face Llama {@code config.json} into a {@link LlamaConfig}, refusing what the
 * engines do not implement (other architectures, RoPE scaling, activations other than SiLU, biases)
 * with one line naming the file, the field and the cause (exit 2).
 */
public final class LlamaConfigReader {
    private static final ObjectMapper JSON = Json.MAPPER;

    private final Path file;
    private final ObjectNode root;

    private LlamaConfigReader(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    public static LlamaConfig read(Path configJson) {
        JsonNode node;
        try {
            node = JSON.readTree(Files.readAllBytes(configJson));
        } catch (NoSuchFileException e) {
            throw LayerwiseException.badInput(configJson, null, "no such file");
        } catch (JacksonException e) {
            throw LayerwiseException.badInput(configJson, null, JsonErrors.describe(e), e);
        } catch (IOException e) {
            throw LayerwiseException.badInput(configJson, null, "cannot read: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw LayerwiseException.badInput(configJson, null, "must be a JSON object");
        }
        return new LlamaConfigReader(configJson, (ObjectNode) node).toConfig();
    }

    private LlamaConfig toConfig() {
        checkArchitecture();
        checkUnsupported();
        int hidden = positiveInt("hidden_size", null);
        int intermediate = positiveInt("intermediate_size", null);
        int layers = positiveInt("num_hidden_layers", null);
        int heads = positiveInt("num_attention_heads", null);
        int kvHeads = positiveInt("num_key_value_heads", heads);
        int vocab = positiveInt("vocab_size", null);
        if (hidden % heads != 0) {
            throw bad("num_attention_heads", heads + " does not divide hidden_size " + hidden);
        }
        if (heads % kvHeads != 0) {
            throw bad("num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
        }
        int headDim = positiveInt("head_dim", hidden / heads);
        double eps = positiveDouble(root, "rms_norm_eps", 1e-6);
        double theta = ropeTheta();
        int maxPos = positiveInt("max_position_embeddings", 2048);
        boolean tied = bool("tie_word_embeddings", false);
        return new LlamaConfig(new ModelDims(hidden, intermediate, layers, heads, kvHeads, headDim, vocab), eps, theta,
                maxPos, dtype(), tied, root.deepCopy());
    }

    private void checkArchitecture() {
        JsonNode type = root.get("model_type");
        if (type == null || !type.isTextual()) {
            throw bad("model_type", "missing or not a string (supported: \"llama\")");
        }
        if (!type.textValue().equals("llama")) {
            throw bad("model_type", "'" + type.textValue() + "' is not supported (supported: \"llama\")");
        }
        JsonNode archs = root.get("architectures");
        if (archs == null || archs.isNull()) {
            return;
        }
        if (!archs.isArray()) {
            throw bad("architectures", "must be an array of strings, found " + archs);
        }
        for (JsonNode a : archs) {
            if (!a.isTextual() || !a.textValue().equals("LlamaForCausalLM")) {
                throw bad("architectures", a + " is not supported (supported: [\"LlamaForCausalLM\"])");
            }
        }
    }

    private void checkUnsupported() {
        JsonNode scaling = root.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw bad("rope_scaling", "RoPE scaling is not implemented (given type: " + ropeType(scaling)
                    + "); only plain RoPE (rope_scaling: null) is supported");
        }
        JsonNode params = root.get("rope_parameters");
        if (params != null && !params.isNull()) {
            String type = ropeType(params);
            if (!type.equals("default") && !type.equals("unspecified")) {
                throw bad("rope_parameters.rope_type", "RoPE scaling is not implemented (given type: " + type
                        + "); only rope_type \"default\" is supported");
            }
        }
        JsonNode act = root.get("hidden_act");
        if (act != null && !act.isNull() && !(act.isTextual() && act.textValue().equals("silu"))) {
            throw bad("hidden_act", act + " is not supported (supported: \"silu\")");
        }
        for (String f : new String[] {"attention_bias", "mlp_bias"}) {
            if (bool(f, false)) {
                throw bad(f, "true is not supported (the Llama engines have no biases)");
            }
        }
    }

    private static String ropeType(JsonNode scaling) {
        JsonNode t = scaling.has("rope_type") ? scaling.get("rope_type") : scaling.get("type");
        return t == null ? "unspecified" : t.isTextual() ? t.textValue() : t.toString();
    }

    /** rope_theta at top level, or inside the transformers-5 {@code rope_parameters}. */
    private double ropeTheta() {
        if (root.has("rope_theta") && !root.get("rope_theta").isNull()) {
            return positiveDouble(root, "rope_theta", 10000.0);
        }
        JsonNode params = root.get("rope_parameters");
        if (params != null && params.isObject() && params.has("rope_theta")) {
            return positiveDouble(params, "rope_parameters.rope_theta", 10000.0);
        }
        return 10000.0;
    }

    private DType dtype() {
        String field = root.hasNonNull("torch_dtype") ? "torch_dtype" : "dtype";
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return DType.FLOAT32;
        }
        if (!n.isTextual()) {
            throw bad(field, "must be a string such as \"bfloat16\", found " + n);
        }
        try {
            return DType.parse(n.textValue());
        } catch (IllegalArgumentException e) {
            throw bad(field, e.getMessage());
        }
    }

    private int positiveInt(String field, Integer defaultValue) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (defaultValue == null) {
                throw bad(field, "required field is missing");
            }
            return defaultValue;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
            throw bad(field, "must be a positive integer, found " + n);
        }
        return n.intValue();
    }

    private double positiveDouble(JsonNode obj, String field, double defaultValue) {
        String key = field.substring(field.lastIndexOf('.') + 1);
        JsonNode n = obj.get(key);
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.isNumber() || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
            throw bad(field, "must be a positive number, found " + n);
        }
        return n.doubleValue();
    }

    private boolean bool(String field, boolean defaultValue) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.isBoolean()) {
            throw bad(field, "must be true or false, found " + n);
        }
        return n.booleanValue();
    }

    private LayerwiseException bad(String field, String cause) {
        return LayerwiseException.badInput(file, field, cause);
    }
}
