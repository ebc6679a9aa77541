package dev.layerwise.margins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The searches find the smallest caught strength of a threshold predicate and count their runs. */
class StrengthSearchTest {

    @Test
    void continuousBracketsTheThresholdWithinItsResolution() {
        double threshold = 3.7e-3;
        List<Double> tried = new ArrayList<>();
        StrengthSearch.Found f = StrengthSearch.continuous(1e-8, 1, 10, s -> {
            tried.add(s);
            return s >= threshold;
        });
        assertEquals(StrengthSearch.Bound.EXACT, f.bound());
        double resolution = Math.pow(1 / 1e-8, 1.0 / (1 << 10));
        assertTrue(f.strength() >= threshold && f.strength() <= threshold * resolution, () -> "found " + f);
        assertEquals(11, f.runs());
        assertEquals(tried.size(), f.runs());
        assertTrue(tried.stream().filter(s -> s < f.strength()).allMatch(s -> s < threshold));
    }

    @Test
    void continuousReportsAFaultCaughtAtTheBottomOrNowhere() {
        StrengthSearch.Found always = StrengthSearch.continuous(1e-6, 1, 4, s -> true);
        assertEquals(StrengthSearch.Bound.AT_MOST, always.bound());
        assertEquals(1e-6, always.strength());
        StrengthSearch.Found never = StrengthSearch.continuous(1e-6, 1, 4, s -> false);
        assertEquals(StrengthSearch.Bound.NOT_CAUGHT, never.bound());
        assertEquals(1, never.runs());
        assertTrue(Double.isNaN(never.strength()));
    }

    @Test
    void integerFindsTheExactSmallestCount() {
        for (int threshold : new int[] {1, 2, 3, 17, 64, 100}) {
            StrengthSearch.Found f = StrengthSearch.integer(100, n -> n >= threshold);
            assertEquals(threshold, (int) f.strength(), "threshold " + threshold);
            assertEquals(StrengthSearch.Bound.EXACT, f.bound());
            assertTrue(f.runs() <= 2 * 7 + 1, "runs " + f.runs());
        }
        StrengthSearch.Found never = StrengthSearch.integer(100, n -> false);
        assertEquals(StrengthSearch.Bound.NOT_CAUGHT, never.bound());
        assertEquals(8, never.runs()); // 1, 2, 4, ..., 64, 100
    }
}
