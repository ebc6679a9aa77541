package dev.layerwise.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HtmlFigureTest {

    @Test
    void aDrawnChartIsAFigure() {
        assertEquals("<figure><svg></svg></figure>\n", HtmlReport.figure(() -> "<svg></svg>"));
    }

    @Test
    void aMachineWithoutFontsGetsANoteInsteadOfAChartAndTheReportGoesOn() {
        // what Java2D throws in a container without fontconfig or fonts
        String note = HtmlReport.figure(() -> {
            throw new RuntimeException("Fontconfig head is null, check your fonts or fonts configuration");
        });
        assertTrue(note.startsWith("<p class=note>Chart not drawn: Fontconfig head is null"), note);
        assertTrue(note.contains("fonts-dejavu-core"), note);
        String noFonts = HtmlReport.figure(() -> {
            throw new Error("Probable fatal error: No fonts found.");
        });
        assertTrue(noFonts.contains("No fonts found"), noFonts);
        String escaped = HtmlReport.figure(() -> {
            throw new IllegalStateException("<script>");
        });
        assertTrue(escaped.contains("&lt;script&gt;") && !escaped.contains("<script>"), escaped);
    }

    @Test
    void runningOutOfMemoryIsNotTurnedIntoANote() {
        assertThrows(OutOfMemoryError.class, () -> HtmlReport.figure(() -> {
            throw new OutOfMemoryError("Java heap space");
        }));
    }
}
