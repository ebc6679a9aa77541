package dev.layerwise.engine.kernels;

/**
 * How attention is computed: the correct Llama form ({@link #STANDARD}) or one of the bugs that fault
 * injection simulates (docs/fault-injection.md): no causal mask, no {@code D^-0.5} scale, or query head
 * h reading key/value head {@code h % nKV} instead of {@code h / (nH / nKV)}, or a causal mask off by
 * {@code maskLookahead} keys (query t also sees keys t+1 .. t+maskLookahead).
 */
public record AttentionVariant(boolean causal, boolean scaled, boolean kvHeadModulo, int maskLookahead) {
    public static final AttentionVariant STANDARD = new AttentionVariant(true, true, false);

    /** A causal mask that lets no query see a later key ({@code maskLookahead} 0). */
    public AttentionVariant(boolean causal, boolean scaled, boolean kvHeadModulo) {
        this(causal, scaled, kvHeadModulo, 0);
    }

    /** The key/value head that query head {@code h} reads. */
    int kvHead(int h, int heads, int kvHeads) {
        return kvHeadModulo ? h % kvHeads : h / (heads / kvHeads);
    }

    /** The last key position query position {@code t} attends to. */
    int lastKey(int t, int tokens) {
        return causal ? Math.min(t + maskLookahead, tokens - 1) : tokens - 1;
    }

    double scale(int headDim) {
        return scaled ? 1.0 / Math.sqrt(headDim) : 1.0;
    }
}
