package dev.layerwise.compare;

import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How much of the reference a comparison actually compared. A reference step counts as compared when the candidate
 * has its partner and the pair had something in common to judge (not {@link Verdict#SKIPPED}).
 *
 * @param compared reference steps compared
 * @param referenceSteps all steps of the reference
 * @param missing reference steps not compared, in canonical order
 * @param unmatched candidate steps with no reference partner, each with the canonical name it most likely means
 */
public record Coverage(int compared, int referenceSteps, List<String> missing, List<UnmatchedStep> unmatched) {

    /** A candidate step without a reference partner; {@code closest} is null when no canonical name is close. */
    public record UnmatchedStep(String name, String closest) {
        @Override
        public String toString() {
            return closest == null ? name + " (no close canonical name)" : name + " (closest canonical name: "
                    + closest + ")";
        }
    }

    /** At most this many unmatched names are spelled out in the one-line "nothing compared" message. */
    static final int NAMES_IN_MESSAGE = 8;

    public Coverage {
        missing = List.copyOf(missing);
        unmatched = List.copyOf(unmatched);
    }

    public static Coverage of(Trace reference, List<StepResult> results) {
        int compared = 0;
        List<String> missing = new ArrayList<>();
        List<UnmatchedStep> unmatched = new ArrayList<>();
        Set<String> referenceSeen = new HashSet<>();
        for (StepResult r : results) {
            if (r.reference() != null) {
                referenceSeen.add(r.reference().name());
                if (r.inBoth() && r.verdict() != Verdict.SKIPPED) {
                    compared++;
                } else {
                    missing.add(r.reference().name());
                }
            } else if (r.candidate() != null) {
                unmatched.add(new UnmatchedStep(r.candidate().name(),
                        ClosestCanonicalStep.of(r.candidate().name()).orElse(null)));
            }
        }
        return new Coverage(compared, reference.steps().size(), missing, unmatched);
    }

    /** compared / referenceSteps (0 for an empty reference). */
    public double fraction() {
        return referenceSteps == 0 ? 0 : compared / (double) referenceSteps;
    }

    public boolean full() {
        return referenceSteps > 0 && compared == referenceSteps;
    }

    /** "coverage: 3 of 40 reference steps compared; not compared: q_rope, k_rope (layers 0-1); logits". */
    public String describe() {
        return "coverage: " + detail();
    }

    /** "12 of 40 reference steps". */
    public String counted() {
        return compared + " of " + referenceSteps + " reference steps";
    }

    /** {@link #describe()} without the leading "coverage: ". */
    public String detail() {
        String head = counted() + " compared";
        return missing.isEmpty() ? head : head + "; not compared: " + StepGroups.compact(missing);
    }

    /** Why a comparison that compared nothing is no evidence, naming the unmatched candidate steps. */
    String nothingCompared(Trace candidate) {
        if (referenceSteps == 0) {
            return "the reference records no steps: nothing to compare";
        }
        if (candidate.steps().isEmpty()) {
            return "the candidate records no steps: nothing to compare";
        }
        if (unmatched.isEmpty()) {
            return "none of the " + referenceSteps + " reference steps could be compared (the steps both traces "
                    + "record have nothing in common to compare)";
        }
        StringBuilder s = new StringBuilder("no reference step is matched by the candidate; candidate steps without a "
                + "reference partner: ");
        for (int i = 0; i < Math.min(NAMES_IN_MESSAGE, unmatched.size()); i++) {
            s.append(i == 0 ? "" : ", ").append(unmatched.get(i));
        }
        if (unmatched.size() > NAMES_IN_MESSAGE) {
            s.append(" and ").append(unmatched.size() - NAMES_IN_MESSAGE).append(" more");
        }
        return s.toString();
    }
}
