package dev.layerwise.engine.opencl;

import dev.layerwise.LayerwiseException;
import dev.layerwise.trace.StepGraph;
import dev.layerwise.trace.CanonicalSteps;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link GpuFaultKind} specs among a run's {@code --inject} options, resolved to steps ({@code *}
 * stands for every layer); the other specs are left for {@code FaultPlan}. The producers of a step come
 * from the canonical data flow ({@link StepGraph}), which is also what the diagnoses reason with.
 */
public record GpuFaults(Map<String, GpuFaultKind> byStep, List<String> otherSpecs, int layers) {
    public static final GpuFaults NONE = new GpuFaults(Map.of(), List.of(), 0);

    public static GpuFaults parse(Collection<String> specs, int layers) {
        Map<String, GpuFaultKind> byStep = new HashMap<>();
        List<String> others = new ArrayList<>();
        List<String> steps = CanonicalSteps.all(layers);
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            GpuFaultKind kind = eq < 0 ? null : GpuFaultKind.ofSyntax(spec.substring(eq + 1).trim()).orElse(null);
            if (kind == null) {
                others.add(spec);
                continue;
            }
            String pattern = spec.substring(0, eq).trim();
            List<String> targets = new ArrayList<>();
            if (pattern.contains("*")) {
                for (int i = 0; i < layers; i++) {
                    targets.add(pattern.replace("*", Integer.toString(i)));
                }
            } else {
                targets.add(pattern);
            }
            for (String step : targets) {
                if (!steps.contains(step)) {
                    throw LayerwiseException.badInput("--inject", null, spec + ": no step " + step + " in a "
                            + layers + "-layer model");
                }
                if (!kind.appliesTo(CanonicalSteps.kindOf(step))) {
                    throw LayerwiseException.badInput("--inject", null, spec + ": " + kind.syntax() + " applies to "
                            + kind.stepKindsText() + " steps, not to " + CanonicalSteps.kindOf(step));
                }
                if (byStep.put(step, kind) != null) {
                    throw LayerwiseException.badInput("--inject", null, spec + ": a second fault for step " + step
                            + " (one fault per step)");
                }
            }
        }
        return new GpuFaults(Map.copyOf(byStep), List.copyOf(others), layers);
    }

    public GpuFaultKind at(String step) {
        return byStep.get(step);
    }

    /** Whether a fault holds commands back on a side queue (missing-wait). */
    boolean needsSideQueue() {
        return byStep.containsValue(GpuFaultKind.MISSING_WAIT);
    }

    /** The steps whose outputs {@code step} reads (its producers in the canonical data flow). */
    List<String> producersOf(String step) {
        return StepGraph.inputsOf(step, CanonicalSteps.all(layers));
    }

    /** Whether {@code step} produces an input of a step planted with missing-wait (it is then held back). */
    boolean delaysProducer(String step) {
        for (Map.Entry<String, GpuFaultKind> e : byStep.entrySet()) {
            if (e.getValue() == GpuFaultKind.MISSING_WAIT && producersOf(e.getKey()).contains(step)) {
                return true;
            }
        }
        return false;
    }
}
