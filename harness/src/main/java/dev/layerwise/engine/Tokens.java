package dev.layerwise.engine;

import dev.layerwise.LayerwiseException;
import dev.layerwise.trace.DefaultPrompt;

/** Token ids for a run: parsing, the default prompt, and the vocabulary check. */
public final class Tokens {
    private Tokens() {
    }

    /**
     * The chat prompt ({@link DefaultPrompt}) with every id taken modulo {@code vocabSize} (the rule the Python
     * dumper uses too).
     */
    public static int[] defaultPrompt(int vocabSize) {
        int[] ids = DefaultPrompt.tokenIds();
        for (int i = 0; i < ids.length; i++) {
            ids[i] %= vocabSize;
        }
        return ids;
    }

    /**
     * Parses "1 2 3", "1,2,3" or "[1, 2, 3]".
     *
     * @throws IllegalArgumentException naming the position of the first id that is not a non-negative integer
     */
    public static int[] parse(String text) {
        String trimmed = text.replace("[", " ").replace("]", " ").trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("no token ids given");
        }
        String[] parts = trimmed.split("[\\s,]+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                ids[i] = -1;
            }
            if (ids[i] < 0) {
                throw new IllegalArgumentException("position " + i + ": '" + parts[i]
                        + "' is not a token id (a non-negative integer)");
            }
        }
        return ids;
    }

    /**
     * Fails (exit 2) naming the first position whose id is outside [0, vocabSize); a vocabSize of 0 (unknown, see
     * {@link Engine#vocabSize()}) checks the sign only.
     */
    public static void checkVocabulary(int[] ids, int vocabSize, String origin) {
        if (ids.length == 0) {
            throw LayerwiseException.badInput(origin, null, "no token ids");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || (vocabSize > 0 && ids[i] >= vocabSize)) {
                throw LayerwiseException.badInput(origin, "position " + i, "token id " + ids[i]
                        + (ids[i] < 0 ? " is negative" : " is outside the vocabulary (vocab_size " + vocabSize + ")"));
            }
        }
    }
}
