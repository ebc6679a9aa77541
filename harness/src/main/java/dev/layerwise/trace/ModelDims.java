package dev.layerwise.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;

/**
 * The dimensions of a Llama-family model that give every canonical step its shape (docs/trace-format.md), in HF
 * config terms: hidden size H, intermediate size I, layers, query heads, key/value heads, head dim D, vocabulary V.
 * The one model-dimensions type: the engines, importers and comparisons all read shapes through {@link #shapeOf}.
 * A dimension a source cannot tell (a foreign dump without config) is 0.
 */
public record ModelDims(int hidden, int intermediate, int layers, int heads, int kvHeads, int headDim, int vocab) {

    /** TinyLlama-1.1B-Chat-v1.0, the model of the seed report and the tensorlogic dumps. */
    public static final ModelDims TINYLLAMA_1_1B = new ModelDims(2048, 5632, 22, 32, 4, 64, 32000);

    /**
     * Reads the dimensions of an HF config.json; {@code file} names it in errors. {@code num_hidden_layers} is
     * optional (0 when absent), every other field but {@code head_dim} and {@code num_key_value_heads} is required.
     */
    public static ModelDims fromConfig(JsonNode config, Object file) {
        int hidden = intField(config, "hidden_size", file);
        int heads = intField(config, "num_attention_heads", file);
        int kv = config.has("num_key_value_heads") ? intField(config, "num_key_value_heads", file) : heads;
        int headDim = config.hasNonNull("head_dim") ? intField(config, "head_dim", file) : hidden / heads;
        JsonNode layers = config.get("num_hidden_layers");
        int layerCount = layers != null && layers.canConvertToInt() && layers.asInt() > 0 ? layers.asInt() : 0;
        return new ModelDims(hidden, intField(config, "intermediate_size", file), layerCount, heads, kv, headDim,
                intField(config, "vocab_size", file));
    }

    private static int intField(JsonNode config, String key, Object file) {
        JsonNode n = config.get(key);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() <= 0) {
            throw LayerwiseException.badInput(file, key, n == null ? "missing (needed for step shapes)"
                    : "expected a positive integer, got " + n);
        }
        return n.asInt();
    }

    /** Width of q, q_rope and attn_ctx: heads * D. */
    public int qWidth() {
        return heads * headDim;
    }

    /** Width of k, v and k_rope: kvHeads * D. */
    public int kvWidth() {
        return kvHeads * headDim;
    }

    /** The canonical shape of a step of this kind for {@code tokens} tokens. */
    public long[] shapeOf(StepKind kind, long tokens) {
        return switch (kind.width()) {
            case HIDDEN -> new long[] {tokens, hidden};
            case Q -> new long[] {tokens, (long) heads * headDim};
            case KV -> new long[] {tokens, (long) kvHeads * headDim};
            case INTERMEDIATE -> new long[] {tokens, intermediate};
            case VOCAB -> new long[] {tokens, vocab};
            case PROBS -> new long[] {heads, tokens, tokens};
        };
    }

    /**
     * The canonical shape of step {@code name} for {@code tokens} tokens; a last-row step ({@code X.last_row}) is
     * X's shape for one token.
     *
     * @throws IllegalArgumentException for a name that is not a canonical step
     */
    public long[] shapeOf(String name, long tokens) {
        if (LastRowSteps.isLastRow(name)) {
            return shapeOf(LastRowSteps.fullStepOf(name), 1);
        }
        StepKind kind = StepKind.of(name).orElseThrow(() -> new IllegalArgumentException("not a canonical step: " + name));
        return shapeOf(kind, tokens);
    }

    /**
     * The length of the longest reduction (dot product, norm) behind a value of a step of this kind: attention
     * scores reduce over the head dim, the context over the tokens.
     */
    public long reductionLength(StepKind kind, long tokens) {
        return switch (kind.reduction()) {
            case ONE -> 1;
            case HIDDEN -> hidden;
            case INTERMEDIATE -> intermediate;
            case HEAD_DIM -> headDim;
            case TOKENS -> tokens;
        };
    }

    /** A config object with these dimensions (HF field names), for traces whose source had no config. */
    public ObjectNode toConfig(String note) {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("model_type", "llama");
        c.put("hidden_size", hidden);
        c.put("intermediate_size", intermediate);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", headDim);
        c.put("vocab_size", vocab);
        c.put("_layerwise_note", note);
        return c;
    }
}
