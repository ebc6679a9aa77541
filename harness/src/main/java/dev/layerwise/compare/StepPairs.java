package dev.layerwise.compare;

import dev.layerwise.trace.LastRowSteps;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lines up the steps of two traces in canonical order ({@link StepOrder}). A step name in both traces is one pair.
 * A last-row step {@code X.last_row} of one trace pairs with the same name in the other, else with the other trace's
 * whole step {@code X} (when the first trace has no {@code X} of its own); the pair is then named {@code X}.
 * Everything else is a one-sided pair.
 */
public final class StepPairs {
    private StepPairs() {
    }

    public static List<StepPair> of(Trace reference, Trace candidate) {
        Map<String, Step> ref = reference.stepsByName();
        Map<String, Step> cand = candidate.stepsByName();
        Set<String> done = new HashSet<>();
        List<StepPair> out = new ArrayList<>();
        for (String name : StepOrder.merge(reference, candidate)) {
            if (!done.add(name)) {
                continue;
            }
            Step r = ref.get(name);
            Step c = cand.get(name);
            if (r != null && c != null) {
                out.add(new StepPair(name, r, c));
                continue;
            }
            String partner = LastRowSteps.isLastRow(name) ? LastRowSteps.fullStepOf(name) : LastRowSteps.of(name);
            Map<String, Step> mine = r != null ? ref : cand;
            Map<String, Step> theirs = r != null ? cand : ref;
            Step other = theirs.get(partner);
            if (other != null && !mine.containsKey(partner)) {
                done.add(partner);
                Step own = r != null ? r : c;
                String full = LastRowSteps.fullStepOf(name);
                out.add(r != null ? new StepPair(full, own, other) : new StepPair(full, other, own));
            } else {
                out.add(new StepPair(name, r, c));
            }
        }
        return out;
    }
}
