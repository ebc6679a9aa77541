package dev.layerwise.engine.fault;

import dev.layerwise.LayerwiseException;
import dev.layerwise.trace.CanonicalSteps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grammar of {@code --inject}, in one place: {@code SPEC = STEP "=" KIND},
 * {@code KIND = NAME [":" ARGUMENT] ["@last"]}, where NAME, the type of ARGUMENT and whether {@code @last} is allowed
 * come from the {@link FaultKind} constants. The option's help text is
 * generated from the same constants ({@link #helpText()}), so a new kind appears in both at once.
 */
public final class FaultGrammar {

    private FaultGrammar() {
    }

    /** A spec split at its '=': the step (may hold '*') and the kind text. */
    record Parts(String stepPattern, String kindText) {
    }

    static Parts split(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw bad(spec, "expected STEP=KIND (KIND: " + allSyntax() + ")");
        }
        return new Parts(spec.substring(0, eq).trim(), spec.substring(eq + 1).trim());
    }

    /** The fault {@code kindText} plants on the concrete step {@code step} of a model with {@code layers} layers. */
    static Fault parseKind(String spec, String step, String kindText, int layers) {
        boolean lastToken = kindText.endsWith(Fault.LAST_TOKEN);
        String text = lastToken ? kindText.substring(0, kindText.length() - Fault.LAST_TOKEN.length()) : kindText;
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        String argument = colon < 0 ? null : text.substring(colon + 1).trim();
        for (FaultKind kind : FaultKind.values()) {
            if (kind.specName().equals(name) && takes(kind.argument(), argument != null)) {
                if (lastToken && !kind.lastTokenVariant()) {
                    throw bad(spec, Fault.LAST_TOKEN + " applies to " + lastTokenKindsText() + " faults only");
                }
                return fault(spec, step, kind, argument, layers, lastToken);
            }
        }
        throw bad(spec, "unknown fault kind '" + kindText + "' (" + allSyntax() + ")");
    }

    private static boolean takes(FaultKind.Argument type, boolean given) {
        return switch (type) {
            case NONE -> !given;
            case OPTIONAL_COUNT -> true;
            default -> given;
        };
    }

    private static Fault fault(String spec, String step, FaultKind kind, String argument, int layers, boolean last) {
        return switch (kind.argument()) {
            case NONE -> new Fault(step, kind, 1, 0, null, 0, last);
            case FACTOR -> new Fault(step, kind, factor(spec, kind, argument), 0, null, 0, last);
            case POSITIONS -> new Fault(step, kind, 1, positive(spec, kind, argument), null, 0, last);
            case COUNT -> new Fault(step, kind, 1, 0, null, positive(spec, kind, argument), last);
            case OPTIONAL_COUNT -> new Fault(step, kind, 1, 0, null,
                    argument == null ? 1 : positive(spec, kind, argument), last);
            case STEP -> new Fault(step, kind, 1, 0, otherStep(spec, kind, argument, step, layers), 0, last);
        };
    }

    /** "scale, perturb-ulp and rope-offset": the kinds that take {@code @last}. */
    private static String lastTokenKindsText() {
        List<String> names = Arrays.stream(FaultKind.values()).filter(FaultKind::lastTokenVariant)
                .map(FaultKind::specName).toList();
        return names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
    }

    private static double factor(String spec, FaultKind kind, String text) {
        double f;
        try {
            f = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw bad(spec, kind.argumentRole() + " '" + text + "' is not a number");
        }
        if (!Double.isFinite(f)) {
            throw bad(spec, kind.argumentRole() + " must be finite");
        }
        return f;
    }

    private static int positive(String spec, FaultKind kind, String text) {
        int n;
        try {
            n = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw bad(spec, kind.argumentRole() + " '" + text + "' is not an integer");
        }
        if (n < 1) {
            throw bad(spec, kind.argumentRole() + " must be a positive integer");
        }
        return n;
    }

    /** Another canonical step of the model; '*' stands for the layer of the target step. */
    private static String otherStep(String spec, FaultKind kind, String text, String step, int layers) {
        String source = text;
        if (source.contains("*")) {
            int layer = CanonicalSteps.layerOf(step);
            if (layer < 0) {
                throw bad(spec, "'*' in the " + kind.argumentRole() + " needs a per-layer target step");
            }
            source = source.replace("*", Integer.toString(layer));
        }
        if (!CanonicalSteps.isCanonical(source) || CanonicalSteps.layerOf(source) >= layers) {
            throw bad(spec, "unknown " + kind.argumentRole() + " step '" + source + "'");
        }
        return source;
    }

    /** Every kind's spelling: "zero, nan, scale:F, ...". */
    static String allSyntax() {
        return String.join(", ", Arrays.stream(FaultKind.values()).map(FaultKind::syntax).toList());
    }

    /**
     * The help text of {@code --inject}: every kind's spelling, grouped by the steps it applies to, in the order of
     * {@link FaultKind}.
     */
    public static String helpText() {
        Map<String, List<String>> byTarget = new LinkedHashMap<>();
        for (FaultKind kind : FaultKind.values()) {
            byTarget.computeIfAbsent(kind.stepKindsText(), t -> new ArrayList<>()).add(kind.syntax());
        }
        List<String> groups = new ArrayList<>();
        byTarget.forEach((target, kinds) -> groups.add(String.join(", ", kinds) + " (" + target + ")"));
        return "Plant a fault (repeatable; STEP may use * for every layer). KIND: " + String.join("; ", groups)
                + ". See docs/fault-injection.md.";
    }

    static LayerwiseException bad(String spec, String cause) {
        return LayerwiseException.badInput("--inject", spec, cause);
    }
}
