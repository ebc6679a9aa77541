package dev.layerwise.compare.diagnosis;

import dev.layerwise.trace.CanonicalSteps;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The data flow between canonical steps of a Llama layer: which steps a step is computed from. */
public final class StepGraph {
    private StepGraph() {
    }

    /**
     * The canonical inputs of {@code step}. The residual stream entering layer i is the previous layer's
     * {@code out} (or {@code embed}); {@code final_norm} reads the last layer's {@code out}, found among
     * {@code known} names.
     */
    public static List<String> inputsOf(String step, Collection<String> known) {
        int layer = CanonicalSteps.layerOf(step);
        String kind = CanonicalSteps.kindOf(step);
        String stream = layer <= 0 ? CanonicalSteps.EMBED : CanonicalSteps.layerStep(layer - 1, "out");
        List<String> in = new ArrayList<>();
        switch (kind) {
            case "attn_norm" -> in.add(stream);
            case "q", "k", "v" -> in.add(l(layer, "attn_norm"));
            case "q_rope" -> in.add(l(layer, "q"));
            case "k_rope" -> in.add(l(layer, "k"));
            case "attn_probs" -> {
                in.add(l(layer, "q_rope"));
                in.add(l(layer, "k_rope"));
            }
            case "attn_ctx" -> {
                in.add(l(layer, "attn_probs"));
                in.add(l(layer, "v"));
            }
            case "attn_out" -> in.add(l(layer, "attn_ctx"));
            case "resid_mid" -> {
                in.add(stream);
                in.add(l(layer, "attn_out"));
            }
            case "ffn_norm" -> in.add(l(layer, "resid_mid"));
            case "gate", "up" -> in.add(l(layer, "ffn_norm"));
            case "silu_gate" -> in.add(l(layer, "gate"));
            case "gated" -> {
                in.add(l(layer, "silu_gate"));
                in.add(l(layer, "up"));
            }
            case "ffn_out" -> in.add(l(layer, "gated"));
            case "out" -> {
                in.add(l(layer, "resid_mid"));
                in.add(l(layer, "ffn_out"));
            }
            case "final_norm" -> {
                int last = -1;
                for (String k : known) {
                    last = Math.max(last, CanonicalSteps.layerOf(k));
                }
                in.add(last < 0 ? CanonicalSteps.EMBED : l(last, "out"));
            }
            case "logits" -> in.add(CanonicalSteps.FINAL_NORM);
            default -> {
                // not a canonical step: no known inputs
            }
        }
        return in;
    }

    private static String l(int layer, String kind) {
        return CanonicalSteps.layerStep(layer, kind);
    }
}
