package dev.layerwise.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The canonical step names of a Llama-family forward pass, in execution order, as given by {@link StepKind}. */
public final class CanonicalSteps {
    public static final String EMBED = StepKind.EMBED.id();
    public static final String FINAL_NORM = StepKind.FINAL_NORM.id();
    public static final String LOGITS = StepKind.LOGITS.id();

    /** Per-layer step suffixes in execution order. */
    public static final List<String> LAYER_STEPS = StepKind.layerKinds().stream().map(StepKind::id).toList();

    private static final Pattern LAYER_STEP = Pattern.compile("layers\\.(\\d+)\\.([a-z_]+)");

    private CanonicalSteps() {
    }

    public static String layerStep(int layer, String suffix) {
        return "layers." + layer + "." + suffix;
    }

    /** Every canonical step of a model with {@code layers} layers, in execution order. */
    public static List<String> all(int layers) {
        List<String> names = new ArrayList<>(3 + LAYER_STEPS.size() * layers);
        boolean layersDone = false;
        for (StepKind k : StepKind.values()) {
            if (k.perLayer()) {
                continue;
            }
            if (!layersDone && k.ordinal() > StepKind.layerKinds().getFirst().ordinal()) {
                addLayers(names, layers);
                layersDone = true;
            }
            names.add(k.id());
        }
        if (!layersDone) {
            addLayers(names, layers);
        }
        return names;
    }

    private static void addLayers(List<String> names, int layers) {
        for (int i = 0; i < layers; i++) {
            for (String s : LAYER_STEPS) {
                names.add(layerStep(i, s));
            }
        }
    }

    /** True for any name of {@link #all(int)} for some layer count. */
    public static boolean isCanonical(String name) {
        Matcher m = LAYER_STEP.matcher(name);
        if (m.matches()) {
            return LAYER_STEPS.contains(m.group(2));
        }
        for (StepKind k : StepKind.values()) {
            if (!k.perLayer() && k.id().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The layer index of a per-layer step, or -1. */
    public static int layerOf(String name) {
        Matcher m = LAYER_STEP.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The per-layer suffix ("silu_gate"), or the name itself for embed/final_norm/logits. */
    public static String kindOf(String name) {
        Matcher m = LAYER_STEP.matcher(name);
        return m.matches() ? m.group(2) : name;
    }
}
