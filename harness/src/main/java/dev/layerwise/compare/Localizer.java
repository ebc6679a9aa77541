package dev.layerwise.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * The first failing step in canonical order is the divergence point; later failures are marked
 * {@link Verdict#PROPAGATED}: an error entering the residual stream reaches every later step.
 */
public final class Localizer {
    private Localizer() {
    }

    public record Localized(List<StepResult> steps, String firstDivergence) {
    }

    public static Localized localize(List<StepResult> ordered) {
        List<StepResult> out = new ArrayList<>(ordered.size());
        String first = null;
        for (StepResult r : ordered) {
            if (r.verdict() == Verdict.FAIL) {
                if (first == null) {
                    first = r.name();
                } else {
                    r = r.withVerdict(Verdict.PROPAGATED);
                }
            }
            out.add(r);
        }
        return new Localized(out, first);
    }
}
