package dev.layerwise.compare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.LastRowSteps;
import dev.layerwise.trace.ModelDims;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepKind;
import dev.layerwise.trace.Trace;

/**
 * A trace's token count and model dimensions, which set reduction lengths. Read from the trace's HF config; when a
 * trace has none (foreign dumps) they are inferred from step shapes, and a size that cannot be known is 0.
 */
public record TraceDims(int tokens, ModelDims model) {

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
            inter = lastDim(t, StepKind.GATE.stepName(0));
        }
        if (heads == 0) {
            Step probs = t.step(StepKind.ATTN_PROBS.stepName(0)).orElse(null);
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
        return new TraceDims(tokens, new ModelDims(hidden, inter, layers, heads, intField(c, "num_key_value_heads"),
                headDim, intField(c, "vocab_size")));
    }

    /**
     * The length of the longest reduction (dot product, norm) that produced a value of this step, or 0 when
     * unknown (the caller then uses the step's last axis). A last-row step {@code X.last_row} is treated as X.
     */
    public long reductionLength(String step) {
        return StepKind.of(LastRowSteps.fullStepOf(step)).map(k -> model.reductionLength(k, tokens)).orElse(0L);
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
        return model.layers() + 1;
    }

    private static int intField(JsonNode c, String field) {
        JsonNode n = c == null ? null : c.get(field);
        return n != null && n.canConvertToInt() ? n.asInt() : 0;
    }

    private static int lastDim(Trace t, String step) {
        return t.step(step).map(s -> (int) s.shape()[s.shape().length - 1]).orElse(0);
    }
}
