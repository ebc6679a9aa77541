package dev.layerwise.engine;

import dev.layerwise.model.LlamaConfig;
import dev.layerwise.trace.CanonicalSteps;

/** The dimensions of a Llama model and the canonical shape of each step for T tokens. */
public record ModelShape(int hidden, int intermediate, int layers, int heads, int kvHeads, int headDim, int vocab) {

    public static ModelShape of(LlamaConfig c) {
        int headDim = c.headDim() > 0 ? c.headDim() : c.hiddenSize() / Math.max(1, c.numAttentionHeads());
        return new ModelShape(c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(), c.numAttentionHeads(),
                c.numKeyValueHeads(), headDim, c.vocabSize());
    }

    public int qWidth() {
        return heads * headDim;
    }

    public int kvWidth() {
        return kvHeads * headDim;
    }

    /** The canonical shape of step {@code name} (trace-format-v1) for {@code tokens} tokens. */
    public long[] stepShape(String name, int tokens) {
        String kind = CanonicalSteps.kindOf(name);
        return switch (kind) {
            case "embed", "attn_norm", "attn_out", "resid_mid", "ffn_norm", "ffn_out", "out", "final_norm" ->
                    new long[] {tokens, hidden};
            case "q", "q_rope", "attn_ctx" -> new long[] {tokens, qWidth()};
            case "k", "v", "k_rope" -> new long[] {tokens, kvWidth()};
            case "attn_probs" -> new long[] {heads, tokens, tokens};
            case "gate", "up", "silu_gate", "gated" -> new long[] {tokens, intermediate};
            case "logits" -> new long[] {tokens, vocab};
            default -> throw new IllegalArgumentException("not a canonical step: " + name);
        };
    }
}
