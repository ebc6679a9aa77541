package dev.layerwise.trace;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The data flow between canonical steps, as {@link StepKind#inputs()} declares it: which steps a step is computed from. */
public final class StepGraph {
    private StepGraph() {
    }

    /**
     * The canonical inputs of {@code step}. The residual stream entering layer i is the previous layer's
     * {@code out} (or {@code embed}); {@code final_norm} reads the last layer's {@code out}, found among
     * {@code known} names. A name that is not canonical has no known inputs.
     */
    public static List<String> inputsOf(String step, Collection<String> known) {
        StepKind kind = StepKind.of(step).orElse(null);
        if (kind == null) {
            return List.of();
        }
        int layer = CanonicalSteps.layerOf(step);
        List<String> in = new ArrayList<>();
        for (String input : kind.inputs()) {
            if (input.equals(StepKind.STREAM)) {
                in.add(kind.perLayer() ? streamInto(layer) : streamInto(lastLayer(known) + 1));
            } else {
                in.add(StepKind.byId(input).orElseThrow().stepName(layer));
            }
        }
        return in;
    }

    /** The residual stream entering layer {@code layer}: the previous layer's out, or embed. */
    private static String streamInto(int layer) {
        return layer <= 0 ? CanonicalSteps.EMBED : StepKind.OUT.stepName(layer - 1);
    }

    private static int lastLayer(Collection<String> known) {
        int last = -1;
        for (String k : known) {
            last = Math.max(last, CanonicalSteps.layerOf(k));
        }
        return last;
    }
}
