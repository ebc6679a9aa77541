package dev.layerwise.importer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Steps a foreign dump recorded for some rows only (e.g. the logits of the last token). They are written
 * under a non-canonical name, {@code <canonical>.last_row} with shape [1, ...], and described in
 * {@code producer.extra.step_notes} as {@code {"partial_of": "logits", "rows": [T-1]}} (docs/importers.md).
 */
public final class PartialSteps {
    private PartialSteps() {
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
