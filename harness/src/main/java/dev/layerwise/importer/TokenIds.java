package dev.layerwise.importer;

/** Token id lists: the TinyLlama chat prompt of the seed report, BOS notes. */
public final class TokenIds {

    /** TinyLlama-1.1B-Chat-v1.0's 38-token chat prompt, no BOS (docs/synthetic-checkpoints.md). */
    public static final int[] TINYLLAMA_CHAT_PROMPT = {529, 29989, 5205, 29989, 29958, 13, 3492, 526, 263, 19780,
        13563, 7451, 29889, 2, 29871, 13, 29966, 29989, 1792, 29989, 29958, 13, 10994, 29991, 1128, 526, 366,
        29973, 2, 29871, 13, 29966, 29989, 465, 22137, 29989, 29958, 13};

    /** Llama's BOS id, used when no config says otherwise. */
    public static final int LLAMA_BOS = 1;

    private TokenIds() {
    }

    public static int[] tinyLlamaChatPrompt() {
        return TINYLLAMA_CHAT_PROMPT.clone();
    }

    /** "38 tokens, no BOS at position 0" or "39 tokens, starting with BOS (1)". */
    public static String describe(int[] ids, int bos) {
        return ids.length + " tokens, " + (ids.length > 0 && ids[0] == bos ? "starting with BOS (" + bos + ")"
                : "no BOS (" + bos + ") at position 0");
    }
}
