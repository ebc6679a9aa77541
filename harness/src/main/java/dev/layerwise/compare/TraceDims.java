package dev.layerwise.compare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.LastRowSteps;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;

/**
 * The sizes that set reduction lengths: tokens T, hidden H, intermediate I, heads, head dim D, layers.
 * Read from the trace's HF config; when a trace has none (foreign dumps) they are inferred from step shapes,
 * and a size that cannot be known is 0.
 */
public record TraceDims(int tokens, int hidden, int intermediate, int heads, int headDim, int layers) {

    public static TraceDims of(Trace t) {
        JsonNode c = t.model() == null ? null : t.model().config();
        int tokens = t.input().tokenIds().length;
        int hidden = intField(c, "hidden_size");
        int inter = intField(c, "intermediate_size");
        int heads = intField(c, "num_attention_heads");
        int headDim = intField(c, "head_dim");
        int layers = intField(c, "num_hidden_layers");
        if (hidden == 0) {
            hidden = lastDim(t, CanonicalSteps.EMBED);
        }
        if (inter == 0) {
            inter = lastDim(t, "layers.0.gate");
        }
        if (heads == 0) {
            Step probs = t.step("layers.0.attn_probs").orElse(null);
            heads = probs == null ? 0 : (int) probs.shape()[0];
        }
        if (headDim == 0 && heads > 0 && hidden > 0) {
            headDim = hidden / heads;
        }
        if (layers == 0) {
            for (Step s : t.steps()) {
                layers = Math.max(layers, CanonicalSteps.layerOf(s.name()) + 1);
            }
        }
        return new TraceDims(tokens, hidden, inter, heads, headDim, layers);
    }

    /**
     * The length of the longest reduction (dot product, norm) that produced a value of this step, or 0 when
     * unknown (the caller then uses the step's last axis). A last-row step {@code X.last_row} is treated as X.
     */
    public long reductionLength(String step) {
        return switch (CanonicalSteps.kindOf(LastRowSteps.fullStepOf(step))) {
            case "embed" -> 1;
            case "attn_norm", "ffn_norm", "final_norm", "q", "k", "v", "q_rope", "k_rope", "attn_out", "resid_mid",
                    "gate", "up", "silu_gate", "gated", "logits" -> hidden;
            case "attn_probs", "attn_ctx" -> (long) tokens * headDim;
            case "ffn_out", "out" -> intermediate;
            default -> 0;
        };
    }

    /** Number of complete transformer layers the step's value has passed through, plus one inside a layer. */
    public int depth(String step) {
        step = LastRowSteps.fullStepOf(step);
        int layer = CanonicalSteps.layerOf(step);
        if (layer >= 0) {
            return layer + 1;
        }
        if (step.equals(CanonicalSteps.EMBED)) {
            return 0;
        }
        return layers + 1;
    }

    private static int intField(JsonNode c, String field) {
        JsonNode n = c == null ? null : c.get(field);
        return n != null && n.canConvertToInt() ? n.asInt() : 0;
    }

    private static int lastDim(Trace t, String step) {
        return t.step(step).map(s -> (int) s.shape()[s.shape().length - 1]).orElse(0);
    }
}
