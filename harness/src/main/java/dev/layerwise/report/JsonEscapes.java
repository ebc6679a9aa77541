package dev.layerwise.report;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * report.json keeps every name exactly, but unsafe characters only as escapes: Jackson already writes control
 * characters as {@code \u001B}; this adds the other characters {@link SafeText} treats as unsafe (bidirectional
 * overrides, line separators, ...), so that showing the file in a terminal or an editor cannot reorder or hide text.
 */
final class JsonEscapes extends CharacterEscapes {
    private final int[] ascii = standardAsciiEscapesForJSON();

    @Override
    public int[] getEscapeCodesForAscii() {
        return ascii;
    }

    /** Jackson asks for every character above 0x7F. */
    @Override
    public SerializableString getEscapeSequence(int ch) {
        return ch <= Character.MAX_VALUE && SafeText.isUnsafe((char) ch)
                ? new SerializedString(String.format("\\u%04X", ch)) : null;
    }
}
