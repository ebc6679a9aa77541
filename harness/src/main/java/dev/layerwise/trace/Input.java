package dev.layerwise.trace;

import java.util.Arrays;

/** The token ids a trace ran on (required) and, when known, the text they came from. */
public record Input(int[] tokenIds, String text) {

    @Override
    public boolean equals(Object o) {
        return o instanceof Input i && Arrays.equals(tokenIds, i.tokenIds) && java.util.Objects.equals(text, i.text);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokenIds);
    }

    @Override
    public String toString() {
        return "Input[" + tokenIds.length + " tokens]";
    }
}
