package dev.layerwise.importer;

import dev.layerwise.trace.CanonicalSteps;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps llama.cpp graph node names (the {@code cb(cur, "name", il)} labels of its Llama graph, printed as
 * {@code name-il}) to canonical steps. The op decides where the name alone is ambiguous: {@code Qcur-0} is
 * printed after the projection (MUL_MAT: {@code q}) and again after RoPE (ROPE: {@code q_rope});
 * {@code kqv_out-0} is the o_proj output in older llama.cpp (MUL_MAT of {@code attn_output.weight}) and
 * the attention context before o_proj in newer ones.
 */
final class LlamaCppNames {
    /** Ops that only re-view their source's data: such a node repeats an already imported tensor. */
    static final Set<String> VIEW_OPS = Set.of("RESHAPE", "VIEW", "PERMUTE", "TRANSPOSE", "NONE");
    /** The token embeddings: {@code embd} in llama.cpp from 2025 on ({@code inp_embd} is then an unprinted input). */
    static final Set<String> EMBEDDING_NODES = Set.of("embd", "inp_embd");
    /** Fused attention: unnamed by llama.cpp (printed {@code node_N}); its output is the attention context. */
    static final String FLASH_ATTN = "FLASH_ATTN_EXT";
    private static final Pattern LAYER_SUFFIX = Pattern.compile("-(\\d+)(?:\\s|$)");

    private static final Pattern LAYER_NAME = Pattern.compile("(.+)-(\\d+)");
    private static final Map<String, String> LAYER_STEPS = Map.ofEntries(
            Map.entry("attn_norm", "attn_norm"),
            Map.entry("kq_soft_max", "attn_probs"),
            Map.entry("kq_soft_max_ext", "attn_probs"),
            Map.entry("kqv_merged_cont", "attn_ctx"),
            Map.entry("attn_out", "attn_out"),
            Map.entry("ffn_inp", "resid_mid"),
            Map.entry("ffn_norm", "ffn_norm"),
            Map.entry("ffn_gate", "gate"),
            Map.entry("ffn_up", "up"),
            Map.entry("ffn_silu", "silu_gate"),
            Map.entry("ffn_gate_par", "gated"),
            Map.entry("ffn_swiglu", "gated"),
            Map.entry("ffn_out", "ffn_out"),
            Map.entry("l_out", "out"));
    private static final Map<String, String> GLOBAL_STEPS = Map.of(
            "inp_embd", CanonicalSteps.EMBED,
            "embd", CanonicalSteps.EMBED,
            "result_norm", CanonicalSteps.FINAL_NORM,
            "result_output", CanonicalSteps.LOGITS);

    private LlamaCppNames() {
    }

    /** The canonical step of a node, or empty for names with no canonical counterpart. */
    static Optional<String> canonical(LlamaCppEvalLog.Node node) {
        if (node.op().equals(FLASH_ATTN)) {
            return flashAttentionLayer(node).map(l -> CanonicalSteps.layerStep(l, "attn_ctx"));
        }
        String global = GLOBAL_STEPS.get(node.name());
        if (global != null) {
            return Optional.of(global);
        }
        Matcher m = LAYER_NAME.matcher(node.name());
        if (!m.matches()) {
            return Optional.empty();
        }
        Integer layer = NumberText.wholeNumber(m.group(2));
        if (layer == null) {
            return Optional.empty(); // no model has that many layers: not a layer node
        }
        String suffix = switch (m.group(1)) {
            case "Qcur" -> node.op().equals("ROPE") ? "q_rope" : "q";
            case "Kcur" -> node.op().equals("ROPE") ? "k_rope" : "k";
            case "Vcur" -> "v";
            case "kqv_out" -> node.op().equals("MUL_MAT") && node.src0().contains("attn_output")
                    ? "attn_out" : "attn_ctx";
            default -> LAYER_STEPS.get(m.group(1));
        };
        return Optional.ofNullable(suffix).map(s -> CanonicalSteps.layerStep(layer, s));
    }

    /** The layer of a flash-attention node: from its name when labelled, else from its Q source ("Qcur-3 (permuted)"). */
    private static Optional<Integer> flashAttentionLayer(LlamaCppEvalLog.Node node) {
        for (String name : new String[] {node.name(), node.src0()}) {
            if (name.startsWith("node_")) {
                continue;
            }
            Matcher m = LAYER_SUFFIX.matcher(name);
            if (m.find()) {
                return Optional.ofNullable(NumberText.wholeNumber(m.group(1)));
            }
        }
        return Optional.empty();
    }

    /** True for q, k and their RoPE'd forms: llama.cpp's GGUF conversion permutes the Q/K weight rows. */
    static boolean permutedLayout(String step) {
        String kind = CanonicalSteps.kindOf(step);
        return kind.equals("q") || kind.equals("k") || kind.equals("q_rope") || kind.equals("k_rope");
    }
}
