package dev.layerwise.compare;

import dev.layerwise.trace.Trace;
import java.util.List;

/** Whether repeated runs of one model on one input recorded the same values, step by step. */
public record DeterminismResult(List<Trace> runs, List<StepDeterminism> steps, String firstNondeterministic) {

    public DeterminismResult {
        runs = List.copyOf(runs);
        steps = List.copyOf(steps);
    }

    public boolean deterministic() {
        return firstNondeterministic == null;
    }

    /** deterministic or nondeterministic. */
    public String verdict() {
        return deterministic() ? "deterministic" : "nondeterministic";
    }

    /** 0 deterministic, 1 not. */
    public int exitCode() {
        return deterministic() ? 0 : 1;
    }
}
