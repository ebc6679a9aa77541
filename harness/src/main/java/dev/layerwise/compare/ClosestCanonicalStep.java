package dev.layerwise.compare;

import dev.layerwise.importer.StepAliases;
import dev.layerwise.trace.CanonicalSteps;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The canonical step a foreign step name most likely means, as a hint for a candidate whose names match nothing in
 * the reference ({@code layer.0.q} -> {@code layers.0.q}, {@code embeddings} -> {@code embed}, {@code lm_head} ->
 * {@code logits}). Known aliases first ({@link StepAliases}, also on the part after a layer number, as in
 * {@code model.layers.3.self_attn.q_proj}); otherwise the canonical kind nearest by edit distance to that part, in
 * the layer the name carries.
 */
public final class ClosestCanonicalStep {
    private static final Pattern LAYER_NUMBER = Pattern.compile("(\\d+)[^0-9]*$");
    /** Farther than this fraction of the longer name is no longer "close". */
    private static final double MAX_RELATIVE_DISTANCE = 0.5;

    private ClosestCanonicalStep() {
    }

    public static Optional<String> of(String name) {
        if (CanonicalSteps.isCanonical(name)) {
            return Optional.of(name);
        }
        Optional<String> alias = StepAliases.resolve(name).map(StepAliases.Alias::step);
        if (alias.isPresent()) {
            return alias;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        Matcher m = LAYER_NUMBER.matcher(lower);
        Integer layer = null;
        String tail = lower;
        if (m.find()) {
            try {
                layer = Integer.parseInt(m.group(1));
            } catch (NumberFormatException e) {
                return Optional.empty(); // a layer number beyond int: no sensible guess
            }
            tail = lower.substring(m.end(1)).replaceFirst("^[^a-z]+", "");
        }
        if (layer != null) {
            for (String suffix : suffixes(tail)) {
                Optional<String> a = StepAliases.resolve("layers." + layer + "." + suffix).map(StepAliases.Alias::step);
                if (a.isPresent()) {
                    return a;
                }
            }
        }
        return nearestKind(tail.isEmpty() ? lower : tail, layer);
    }

    /** "self_attn.q_proj" -> ["self_attn.q_proj", "q_proj"]: the whole tail, then each shorter dotted suffix. */
    private static List<String> suffixes(String tail) {
        List<String> out = new ArrayList<>();
        String t = tail;
        while (!t.isEmpty()) {
            out.add(t);
            int dot = t.indexOf('.');
            t = dot < 0 ? "" : t.substring(dot + 1);
        }
        return out;
    }

    private static Optional<String> nearestKind(String text, Integer layer) {
        String best = null;
        double bestDistance = Double.MAX_VALUE;
        List<String> kinds = new ArrayList<>(layer != null ? CanonicalSteps.LAYER_STEPS : List.of());
        kinds.addAll(List.of(CanonicalSteps.EMBED, CanonicalSteps.FINAL_NORM, CanonicalSteps.LOGITS));
        for (String kind : kinds) {
            double d = editDistance(text, kind) / (double) Math.max(text.length(), kind.length());
            if (d < bestDistance) {
                bestDistance = d;
                best = kind;
            }
        }
        if (best == null || bestDistance > MAX_RELATIVE_DISTANCE) {
            return Optional.empty();
        }
        return Optional.of(CanonicalSteps.LAYER_STEPS.contains(best) ? CanonicalSteps.layerStep(layer, best) : best);
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
