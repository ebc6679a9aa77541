package dev.layerwise.importer;

import dev.layerwise.trace.DefaultPrompt;

/** Token id lists: the TinyLlama chat prompt of the seed report, BOS notes. */
public final class TokenIds {

    /** Llama's BOS id, used when no config says otherwise. */
    public static final int LLAMA_BOS = 1;

    private TokenIds() {
    }

    /** TinyLlama-1.1B-Chat-v1.0's 38-token chat prompt, no BOS: {@link DefaultPrompt}. */
    public static int[] tinyLlamaChatPrompt() {
        return DefaultPrompt.tokenIds();
    }

    /** "38 tokens, no BOS at position 0" or "39 tokens, starting with BOS (1)". */
    public static String describe(int[] ids, int bos) {
        return ids.length + " tokens, " + (ids.length > 0 && ids[0] == bos ? "starting with BOS (" + bos + ")"
                : "no BOS (" + bos + ") at position 0");
    }
}
