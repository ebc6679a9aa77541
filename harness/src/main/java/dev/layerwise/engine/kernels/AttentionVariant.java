package dev.layerwise.engine.kernels;

/**
 * How attention is computed: the correct Llama form ({@link #STANDARD}) or one of the bugs that fault
 * injection simulates (docs/fault-injection.md): no causal mask, no {@code D^-0.5} scale, or query head
 * h reading key/value head {@code h % nKV} instead of {@code h / (nH / nKV)}.
 */
public record AttentionVariant(boolean causal, boolean scaled, boolean kvHeadModulo) {
    public static final AttentionVariant STANDARD = new AttentionVariant(true, true, false);

    /** The key/value head that query head {@code h} reads. */
    int kvHead(int h, int heads, int kvHeads) {
        return kvHeadModulo ? h % kvHeads : h / (heads / kvHeads);
    }

    /** The last key position query position {@code t} attends to. */
    int lastKey(int t, int tokens) {
        return causal ? t : tokens - 1;
    }

    double scale(int headDim) {
        return scaled ? 1.0 / Math.sqrt(headDim) : 1.0;
    }
}
