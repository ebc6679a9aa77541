package dev.layerwise.importer;

import dev.layerwise.trace.LastRowSteps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Steps a foreign dump recorded for some rows only (e.g. the logits of the last token). They are written
 * under a non-canonical name, {@code <canonical>.last_row} with shape [1, ...], and described in
 * {@code producer.extra.step_notes} as {@code {"partial_of": "logits", "rows": [T-1]}} (docs/importers.md).
 */
public final class PartialSteps {
    public static final String LAST_ROW_SUFFIX = LastRowSteps.SUFFIX;
    public static final String LOGITS_LAST_ROW = "logits" + LAST_ROW_SUFFIX;

    private PartialSteps() {
    }

    public static String lastRowOf(String canonical) {
        return LastRowSteps.of(canonical);
    }

    /** The step note of a last-row step of a {@code tokens}-token input. */
    public static Map<String, Object> lastRowNote(String canonical, int tokens, String why) {
        Map<String, Object> note = new LinkedHashMap<>();
        note.put("partial_of", canonical);
        note.put("rows", List.of(tokens - 1));
        note.put("note", why);
        return note;
    }
}
