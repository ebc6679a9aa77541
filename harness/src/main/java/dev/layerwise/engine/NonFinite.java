package dev.layerwise.engine;

import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.Optional;

/** Where non-finite values (NaN, +-Infinity) first appear in a trace. */
public final class NonFinite {
    private NonFinite() {
    }

    /** The first step, in trace order, holding any NaN or infinity. */
    public static Optional<Step> firstStep(Trace trace) {
        for (Step s : trace.steps()) {
            Long n = s.stats().nonFinite();
            if (n != null && n > 0) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** One line for stderr, e.g. "non-finite values first appear at layers.1.up: 3 +Infinity of 6688". */
    public static Optional<String> describe(Trace trace) {
        return firstStep(trace).map(s -> "non-finite values first appear at " + s.name() + ": "
                + s.stats().nan() + " NaN, " + s.stats().posInf() + " +Infinity, " + s.stats().negInf()
                + " -Infinity of " + s.stats().count() + " values");
    }
}
