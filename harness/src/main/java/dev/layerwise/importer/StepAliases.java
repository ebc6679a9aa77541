package dev.layerwise.importer;

import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.LastRowSteps;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the step names people write in reports and ad-hoc dumps ("x_norm (attn)", "Layer 0 output",
 * "layer_0.mlp_output") to canonical steps. Matching ignores case, markdown bold and repeated spaces.
 * Per-layer names without a layer number ("Q", "gate") are taken as layer 0 and say so.
 */
public final class StepAliases {

    /** A resolved name: the step, and whether its layer was assumed (no number in the original). */
    public record Alias(String step, boolean layerAssumed) {
    }

    private static final Pattern WITH_LAYER =
            Pattern.compile("(?:layers?|blk|blocks?)[ ._]?(\\d+)(?:[ ._](.+))?");

    private static final Map<String, String> LAYER_STEPS = new HashMap<>();
    private static final Map<String, String> GLOBAL_STEPS = new HashMap<>();

    static {
        layer("attn_norm", "x_norm (attn)", "attn_norm", "input_layernorm", "attention_norm", "attention norm");
        layer("q", "q", "q_proj");
        layer("k", "k", "k_proj");
        layer("v", "v", "v_proj");
        layer("q_rope", "q_rope");
        layer("k_rope", "k_rope");
        layer("attn_probs", "attn_probs", "attn_weights");
        layer("attn_ctx", "attn_ctx");
        layer("attn_out", "attn_out", "attn_output", "attention output", "o_proj", "self_attn");
        layer("resid_mid", "hidden_1 (after attn)", "hidden_1", "resid_mid");
        layer("ffn_norm", "x_norm2 (ffn)", "ffn_norm", "post_attention_layernorm");
        layer("gate", "gate", "gate_proj");
        layer("up", "up", "up_proj");
        layer("silu_gate", "silu_gate", "silu(gate)");
        layer("gated", "gated");
        layer("ffn_out", "ffn_out", "mlp_output", "mlp_out", "mlp", "down_proj");
        layer("out", "output", "out", "layer_output", "layer output");
        global(CanonicalSteps.EMBED, "embedding", "embeddings", "embed", "embed_tokens", "token embedding");
        global(CanonicalSteps.FINAL_NORM, "final norm", "final_norm", "norm", "final_layernorm");
        global(CanonicalSteps.LOGITS, "logits", "lm_head");
        global(LastRowSteps.of(CanonicalSteps.LOGITS), "logits (last token)", "logits.last_token", "logits last token",
                "logits_last_token", "logits.last_row");
    }

    private StepAliases() {
    }

    private static void layer(String suffix, String... names) {
        for (String n : names) {
            LAYER_STEPS.put(n, suffix);
        }
    }

    private static void global(String step, String... names) {
        for (String n : names) {
            GLOBAL_STEPS.put(n, step);
        }
    }

    /** Lower case, markdown bold removed, spaces collapsed. */
    public static String normalize(String name) {
        return MarkdownText.strip(name).toLowerCase(Locale.ROOT);
    }

    /** The canonical (or partial, {@code logits.last_row}) step for {@code name}, if it is a known alias. */
    public static Optional<Alias> resolve(String name) {
        String n = normalize(name);
        String global = GLOBAL_STEPS.get(n);
        if (global != null) {
            return Optional.of(new Alias(global, false));
        }
        Matcher m = WITH_LAYER.matcher(n);
        if (m.matches() && m.group(2) != null) {
            String suffix = LAYER_STEPS.get(m.group(2));
            Integer layer = NumberText.wholeNumber(m.group(1));
            if (suffix != null && layer != null) {
                return Optional.of(new Alias(CanonicalSteps.layerStep(layer, suffix), false));
            }
            return Optional.empty();
        }
        String suffix = LAYER_STEPS.get(n);
        if (suffix != null && !suffix.equals("out")) {
            return Optional.of(new Alias(CanonicalSteps.layerStep(0, suffix), true));
        }
        return Optional.empty();
    }
}
