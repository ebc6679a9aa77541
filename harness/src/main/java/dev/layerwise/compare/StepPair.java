package dev.layerwise.compare;

import dev.layerwise.trace.LastRowSteps;
import dev.layerwise.trace.Step;
import java.util.Arrays;

/**
 * The reference's and the candidate's step for one row of a comparison (either may be null). Usually both have the
 * row's name. When one side records only the last row of a step ({@code X.last_row}, shape [1, ...]) and the other
 * the whole step {@code X}, the pair is named {@code X} and compares that row: {@link #lastRowOnly()}.
 */
public record StepPair(String name, Step reference, Step candidate) {

    public boolean inBoth() {
        return reference != null && candidate != null;
    }

    /** True when one side is a last-row step and the other the whole step. */
    public boolean lastRowOnly() {
        return inBoth() && !reference.name().equals(candidate.name());
    }

    /** The last-row side of a {@link #lastRowOnly()} pair. */
    public Step partial() {
        return LastRowSteps.isLastRow(reference.name()) && !LastRowSteps.isLastRow(candidate.name()) ? reference
                : candidate;
    }

    /** The whole-step side of a {@link #lastRowOnly()} pair. */
    public Step full() {
        return partial() == reference ? candidate : reference;
    }

    /** Equal shapes, or for a last-row pair [1, rest...] against [n, rest...]. */
    public boolean shapesAgree() {
        if (!lastRowOnly()) {
            return Arrays.equals(reference.shape(), candidate.shape());
        }
        long[] p = partial().shape();
        long[] f = full().shape();
        return p.length == f.length && p.length >= 1 && p[0] == 1 && f[0] >= 1
                && Arrays.equals(p, 1, p.length, f, 1, f.length);
    }
}
