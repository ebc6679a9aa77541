package dev.layerwise.compare;

import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.LastRowSteps;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepKind;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The union of two traces' step names in canonical execution order. A step the canonical list does not name keeps
 * its place after the canonical step that precedes it in its own trace. A last-row step {@code X.last_row} takes
 * {@code X}'s place.
 */
public final class StepOrder {
    private StepOrder() {
    }

    /** Below the 1/1000 steps that place non-canonical names, so X.last_row stays between X and X's followers. */
    private static final double LAST_ROW_OFFSET = 1e-4;

    public static List<String> merge(Trace reference, Trace candidate) {
        Map<String, Double> key = new LinkedHashMap<>();
        for (Trace t : List.of(reference, candidate)) {
            double last = -1;
            int extra = 0;
            for (Step s : t.steps()) {
                double k = canonicalIndex(s.name());
                if (k >= 0) {
                    last = k;
                    extra = 0;
                } else {
                    k = last + (++extra) / 1000.0;
                }
                key.putIfAbsent(s.name(), k);
            }
        }
        List<String> names = new ArrayList<>(key.keySet());
        names.sort(Comparator.comparingDouble(key::get)); // stable: ties keep first-seen order
        return names;
    }

    /**
     * Position in {@link CanonicalSteps#all(int)} for any layer count, or -1 for other names. {@code X.last_row} takes
     * X's place (just after X when a trace has both).
     */
    public static double canonicalIndex(String name) {
        if (LastRowSteps.isLastRow(name)) {
            double whole = canonicalIndex(LastRowSteps.fullStepOf(name));
            return whole < 0 ? -1 : whole + LAST_ROW_OFFSET;
        }
        StepKind kind = StepKind.of(name).orElse(null);
        if (kind == null) {
            return -1;
        }
        if (!kind.perLayer()) {
            // model steps before the layers come first, those after the last layer after any layer count
            return kind.ordinal() < StepKind.layerKinds().getFirst().ordinal() ? kind.ordinal() : 1e9 + kind.ordinal()
                    - StepKind.layerKinds().getLast().ordinal() - 1;
        }
        int layer = CanonicalSteps.layerOf(name);
        return 1 + (double) layer * StepKind.layerKinds().size() + StepKind.layerKinds().indexOf(kind);
    }
}
