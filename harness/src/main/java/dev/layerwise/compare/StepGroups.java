package dev.layerwise.compare;

import dev.layerwise.trace.CanonicalSteps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A compact description of a list of step names: per-layer steps grouped by kind across layers
 * ({@code "q_rope, k_rope (layers 0-21)"}), other names as they are, in first-seen order.
 */
public final class StepGroups {
    private StepGroups() {
    }

    public static String compact(List<String> names) {
        Map<String, TreeSet<Integer>> layersByKind = new LinkedHashMap<>();
        List<Object> order = new ArrayList<>(); // a kind's layer set, or a plain name
        for (String n : names) {
            int layer = CanonicalSteps.layerOf(n);
            if (layer < 0) {
                order.add(n);
                continue;
            }
            TreeSet<Integer> layers = layersByKind.get(CanonicalSteps.kindOf(n));
            if (layers == null) {
                layers = new TreeSet<>();
                layersByKind.put(CanonicalSteps.kindOf(n), layers);
                order.add(layers);
            }
            layers.add(layer);
        }
        // kinds missing in the same layers share one entry: "q_rope, k_rope (layers 0-21)"
        Map<String, List<String>> kindsByLayers = new LinkedHashMap<>();
        layersByKind.forEach((kind, layers) -> kindsByLayers.computeIfAbsent(ranges(layers), k -> new ArrayList<>())
                .add(kind));
        List<String> parts = new ArrayList<>();
        for (Object o : order) {
            if (o instanceof String name) {
                parts.add(name);
                continue;
            }
            String layers = ranges((TreeSet<?>) o);
            List<String> kinds = kindsByLayers.remove(layers);
            if (kinds != null) {
                String word = layers.matches("\\d+") ? "layer " : "layers ";
                parts.add(String.join(", ", kinds) + " (" + word + layers + ")");
            }
        }
        return String.join("; ", parts);
    }

    /** "0-3, 5, 7-9". */
    static String ranges(TreeSet<?> layers) {
        StringBuilder s = new StringBuilder();
        int start = -1;
        int prev = -2;
        for (Object o : layers) {
            int l = (Integer) o;
            if (l != prev + 1) {
                appendRange(s, start, prev);
                start = l;
            }
            prev = l;
        }
        appendRange(s, start, prev);
        return s.toString();
    }

    private static void appendRange(StringBuilder s, int start, int end) {
        if (start < 0) {
            return;
        }
        s.append(s.isEmpty() ? "" : ", ").append(start).append(start == end ? "" : "-" + end);
    }
}
