package dev.layerwise.engine;

import dev.layerwise.LayerwiseException;
import java.util.Arrays;

/** Token ids for a run: parsing, the default prompt, and the vocabulary check. */
public final class Tokens {
    /** TinyLlama-1.1B-Chat-v1.0's 38-token chat prompt without BOS (docs/synthetic-checkpoints.md). */
    private static final int[] CHAT_PROMPT = {529, 29989, 5205, 29989, 29958, 13, 3492, 526, 263, 19780, 13563,
        7451, 29889, 2, 29871, 13, 29966, 29989, 1792, 29989, 29958, 13, 10994, 29991, 1128, 526, 366, 29973, 2,
        29871, 13, 29966, 29989, 465, 22137, 29989, 29958, 13};

    private Tokens() {
    }

    /** The chat prompt with every id taken modulo {@code vocabSize} (the rule the Python dumper uses too). */
    public static int[] defaultPrompt(int vocabSize) {
        int[] ids = CHAT_PROMPT.clone();
        for (int i = 0; i < ids.length; i++) {
            ids[i] %= vocabSize;
        }
        return ids;
    }

    /** Parses "1 2 3" (spaces and/or commas). */
    public static int[] parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.isEmpty()) {
            throw LayerwiseException.badInput("--tokens", null, "no token ids given");
        }
        String[] parts = trimmed.split("[\\s,]+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw LayerwiseException.badInput("--tokens", "position " + i, "'" + parts[i] + "' is not a token id");
            }
        }
        return ids;
    }

    /** Fails (exit 2) naming the first position whose id is outside [0, vocabSize). */
    public static void checkVocabulary(int[] ids, int vocabSize, String origin) {
        if (ids.length == 0) {
            throw LayerwiseException.badInput(origin, null, "no token ids");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw LayerwiseException.badInput(origin, "position " + i, "token id " + ids[i]
                        + " is outside the vocabulary (vocab_size " + vocabSize + ")");
            }
        }
    }

    public static String toString(int[] ids) {
        return Arrays.toString(ids);
    }
}
