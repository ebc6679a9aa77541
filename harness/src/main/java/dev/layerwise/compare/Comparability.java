package dev.layerwise.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether two traces can be compared at all: same token ids, same model architecture, and the same shape for every
 * step both record (for a last-row step against the whole step, the same shape after the first axis). Dtypes may differ (tolerances then come from the coarser one).
 */
public final class Comparability {
    /** Config fields that change what the forward pass computes (dtype fields excluded on purpose). */
    static final List<String> MODEL_FIELDS = List.of("hidden_size", "intermediate_size", "num_hidden_layers",
            "num_attention_heads", "num_key_value_heads", "head_dim", "vocab_size", "rms_norm_eps", "rope_theta",
            "rope_scaling", "hidden_act", "tie_word_embeddings", "attention_bias", "mlp_bias");

    private Comparability() {
    }

    /** Why {@code candidate} cannot be compared with {@code reference}, or empty when it can. */
    public static Optional<String> check(Trace reference, Trace candidate) {
        return tokens(reference, candidate)
                .or(() -> model(reference, candidate))
                .or(() -> shapes(reference, candidate));
    }

    static Optional<String> tokens(Trace reference, Trace candidate) {
        int[] r = reference.input().tokenIds();
        int[] c = candidate.input().tokenIds();
        if (Arrays.equals(r, c)) {
            return Optional.empty();
        }
        int bos = bosTokenId(reference, candidate);
        int prefix = 0;
        while (prefix < Math.min(r.length, c.length) && r[prefix] == c[prefix]) {
            prefix++;
        }
        if (r.length != c.length) {
            boolean candLonger = c.length > r.length;
            int[] longer = candLonger ? c : r;
            int[] shorter = candLonger ? r : c;
            int extra = longer.length - shorter.length;
            while (prefix > 0 && longer[prefix - 1] == longer[prefix - 1 + extra]) {
                prefix--; // an inserted repeat (a doubled BOS) is reported at its earliest possible position
            }
            String head = "candidate has " + c.length + " tokens, reference " + r.length;
            if (Arrays.equals(longer, prefix + extra, longer.length, shorter, prefix, shorter.length)) {
                StringBuilder ids = new StringBuilder();
                for (int i = prefix; i < prefix + extra; i++) {
                    ids.append(ids.isEmpty() ? "" : ", ").append(longer[i]).append(longer[i] == bos ? " (BOS)" : "");
                }
                return Optional.of(head + ": " + (candLonger ? "extra" : "missing") + " token" + (extra > 1 ? "s " : " ")
                        + ids + " at position " + prefix);
            }
            return Optional.of(head + "; first difference at position " + prefix + describeAt(r, c, prefix));
        }
        int differing = 0;
        for (int i = 0; i < r.length; i++) {
            if (r[i] != c[i]) {
                differing++;
            }
        }
        return Optional.of("token ids differ at position " + prefix + ": reference " + r[prefix] + ", candidate "
                + c[prefix] + " (" + differing + " of " + r.length + " positions differ)");
    }

    private static String describeAt(int[] r, int[] c, int p) {
        return ": reference " + (p < r.length ? String.valueOf(r[p]) : "(end)") + ", candidate "
                + (p < c.length ? String.valueOf(c[p]) : "(end)");
    }

    private static int bosTokenId(Trace a, Trace b) {
        for (Trace t : List.of(a, b)) {
            JsonNode n = config(t) == null ? null : config(t).get("bos_token_id");
            if (n != null && n.canConvertToInt()) {
                return n.asInt();
            }
        }
        return 1; // Llama's <s>
    }

    static Optional<String> model(Trace reference, Trace candidate) {
        List<String> diffs = new ArrayList<>();
        String ra = reference.model() == null ? null : reference.model().architecture();
        String ca = candidate.model() == null ? null : candidate.model().architecture();
        if (ra != null && ca != null && !ra.equals(ca)) {
            diffs.add("architecture " + ra + " vs " + ca);
        }
        ObjectNode rc = config(reference);
        ObjectNode cc = config(candidate);
        if (rc != null && cc != null) {
            for (String f : MODEL_FIELDS) {
                JsonNode a = rc.get(f);
                JsonNode b = cc.get(f);
                if (a != null && b != null && !sameValue(a, b)) {
                    diffs.add(f + " " + a + " vs " + b);
                }
            }
        }
        if (diffs.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("different models (reference vs candidate): " + String.join(", ", diffs));
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.doubleValue() == b.doubleValue();
        }
        return a.equals(b);
    }

    static Optional<String> shapes(Trace reference, Trace candidate) {
        for (StepPair p : StepPairs.of(reference, candidate)) {
            if (p.inBoth() && !p.shapesAgree()) {
                Step r = p.reference();
                Step c = p.candidate();
                String rName = r.name().equals(p.name()) ? "" : " (as " + r.name() + ")";
                String cName = c.name().equals(p.name()) ? "" : " (as " + c.name() + ")";
                return Optional.of("step " + p.name() + " has shape " + r.shapeString() + rName + " in the reference and "
                        + c.shapeString() + cName + " in the candidate");
            }
        }
        return Optional.empty();
    }

    private static ObjectNode config(Trace t) {
        return t.model() == null ? null : t.model().config();
    }
}
