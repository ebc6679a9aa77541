package dev.layerwise.engine.fault;

import dev.layerwise.LayerwiseException;
import dev.layerwise.trace.CanonicalSteps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grammar of {@code --inject}, in one place: {@code SPEC = STEP "=" KIND}, {@code KIND = NAME [":" ARGUMENT]},
 * where NAME and the type of ARGUMENT come from the {@link FaultKind} constants. The option's help text is
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
        int colon = kindText.indexOf(':');
        String name = colon < 0 ? kindText : kindText.substring(0, colon);
        String argument = colon < 0 ? null : kindText.substring(colon + 1).trim();
        for (FaultKind kind : FaultKind.values()) {
            if (kind.specName().equals(name) && (argument == null) == (kind.argument() == FaultKind.Argument.NONE)) {
                return fault(spec, step, kind, argument, layers);
            }
        }
        throw bad(spec, "unknown fault kind '" + kindText + "' (" + allSyntax() + ")");
    }

    private static Fault fault(String spec, String step, FaultKind kind, String argument, int layers) {
        return switch (kind.argument()) {
            case NONE -> new Fault(step, kind, 1, 0, null);
            case FACTOR -> new Fault(step, kind, factor(spec, kind, argument), 0, null);
            case POSITIONS -> new Fault(step, kind, 1, positions(spec, kind, argument), null);
            case STEP -> new Fault(step, kind, 1, 0, otherStep(spec, kind, argument, step, layers));
        };
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

    private static int positions(String spec, FaultKind kind, String text) {
        int n;
        try {
            n = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw bad(spec, kind.argumentRole() + " '" + text + "' is not an integer");
        }
        if (n < 1) {
            throw bad(spec, kind.argumentRole() + " must be a positive number of positions");
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
