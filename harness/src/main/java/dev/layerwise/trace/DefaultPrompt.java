package dev.layerwise.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * TinyLlama-1.1B-Chat-v1.0's 38-token chat prompt without BOS (docs/synthetic-checkpoints.md), the default input of
 * Layerwise's runs and the prompt of the seed report. Defined once, for Java and the Python scripts, in the resource
 * {@code dev/layerwise/trace/default-prompt.txt}.
 */
public final class DefaultPrompt {
    private static final int[] IDS = read();

    private DefaultPrompt() {
    }

    /** The 38 token ids. */
    public static int[] tokenIds() {
        return IDS.clone();
    }

    private static int[] read() {
        try (InputStream in = DefaultPrompt.class.getResourceAsStream("default-prompt.txt")) {
            if (in == null) {
                throw new IllegalStateException("default-prompt.txt is missing from the classpath");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            return Arrays.stream(text.split("\\s+")).mapToInt(Integer::parseInt).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
