package dev.layerwise.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.trace.CanonicalSteps;

/**
 * The dimensions that give every canonical step its shape (docs/trace-format.md), for dumps that record
 * sums but no shapes.
 */
public record ModelDims(int hidden, int intermediate, int heads, int kvHeads, int headDim, int vocab) {

    /** TinyLlama-1.1B-Chat-v1.0, the model of the seed report and the tensorlogic dumps. */
    public static final ModelDims TINYLLAMA_1_1B = new ModelDims(2048, 5632, 32, 4, 64, 32000);

    /** Reads an HF config.json; {@code file} names it in errors. */
    public static ModelDims fromConfig(JsonNode config, Object file) {
        int hidden = intField(config, "hidden_size", file);
        int heads = intField(config, "num_attention_heads", file);
        int kv = config.has("num_key_value_heads") ? intField(config, "num_key_value_heads", file) : heads;
        int headDim = config.hasNonNull("head_dim") ? intField(config, "head_dim", file) : hidden / heads;
        return new ModelDims(hidden, intField(config, "intermediate_size", file), heads, kv, headDim,
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

    /** The canonical shape of {@code step} for {@code tokens} tokens; {@code logits.last_row} is [1, V]. */
    public long[] shapeOf(String step, int tokens) {
        if (step.equals(PartialSteps.LOGITS_LAST_ROW)) {
            return new long[] {1, vocab};
        }
        String kind = CanonicalSteps.kindOf(step);
        long t = tokens;
        return switch (kind) {
            case "embed", "final_norm", "attn_norm", "attn_out", "resid_mid", "ffn_norm", "ffn_out", "out" ->
                new long[] {t, hidden};
            case "q", "q_rope", "attn_ctx" -> new long[] {t, (long) heads * headDim};
            case "k", "v", "k_rope" -> new long[] {t, (long) kvHeads * headDim};
            case "attn_probs" -> new long[] {heads, t, t};
            case "gate", "up", "silu_gate", "gated" -> new long[] {t, intermediate};
            case "logits" -> new long[] {t, vocab};
            default -> throw new IllegalArgumentException("not a canonical step: " + step);
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
