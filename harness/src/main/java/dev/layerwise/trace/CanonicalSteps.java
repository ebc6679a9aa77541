package dev.layerwise.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The canonical step names of a Llama-family forward pass, in execution order (trace-format-v1). */
public final class CanonicalSteps {
    public static final String EMBED = "embed";
    public static final String FINAL_NORM = "final_norm";
    public static final String LOGITS = "logits";

    /** Per-layer step suffixes in execution order. */
    public static final List<String> LAYER_STEPS = List.of(
            "attn_norm", "q", "k", "v", "q_rope", "k_rope", "attn_probs", "attn_ctx", "attn_out",
            "resid_mid", "ffn_norm", "gate", "up", "silu_gate", "gated", "ffn_out", "out");

    private static final Pattern LAYER_STEP = Pattern.compile("layers\\.(\\d+)\\.([a-z_]+)");

    private CanonicalSteps() {
    }

    public static String layerStep(int layer, String suffix) {
        return "layers." + layer + "." + suffix;
    }

    /** Every canonical step of a model with {@code layers} layers: 1 + 17 * layers + 2 names. */
    public static List<String> all(int layers) {
        List<String> names = new ArrayList<>(3 + LAYER_STEPS.size() * layers);
        names.add(EMBED);
        for (int i = 0; i < layers; i++) {
            for (String s : LAYER_STEPS) {
                names.add(layerStep(i, s));
            }
        }
        names.add(FINAL_NORM);
        names.add(LOGITS);
        return names;
    }

    /** True for any name of {@link #all(int)} for some layer count. */
    public static boolean isCanonical(String name) {
        if (name.equals(EMBED) || name.equals(FINAL_NORM) || name.equals(LOGITS)) {
            return true;
        }
        Matcher m = LAYER_STEP.matcher(name);
        return m.matches() && LAYER_STEPS.contains(m.group(2));
    }

    /** The layer index of a per-layer step, or -1. */
    public static int layerOf(String name) {
        Matcher m = LAYER_STEP.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The per-layer suffix ("silu_gate"), or the name itself for embed/final_norm/logits. */
    public static String kindOf(String name) {
        Matcher m = LAYER_STEP.matcher(name);
        return m.matches() ? m.group(2) : name;
    }
}
