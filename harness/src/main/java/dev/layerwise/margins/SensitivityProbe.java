package dev.layerwise.margins;

import dev.layerwise.compare.diagnosis.DiagnosisCode;
import dev.layerwise.trace.ModelDims;
import dev.layerwise.trace.StepKind;
import java.util.List;
import java.util.Locale;

/**
 * One planted fault of the sensitivity benchmark ({@link SensitivityTool}): the step kind it is planted on, how its
 * strength is chosen, the {@code --inject} kind for a strength, and the diagnosis it must get at its step (null: being
 * localized there is enough, the diagnoses given are reported).
 *
 * @param name the name {@code --kinds} selects it by
 * @param strength how the strength varies
 * @param maxStrength the largest strength tried (the deviation |F - 1| of a scale, else a count)
 * @param kind the {@code --inject} KIND for strength {@code s} ({@code %s}: the formatted value)
 */
record SensitivityProbe(String name, StepKind step, Strength strength, double maxStrength, String kind,
        DiagnosisCode expected) {

    enum Strength {
        /** A fault without a strength: caught or not. */
        NONE,
        /** {@code scale:(1 + d)}, d searched geometrically. */
        SCALE_UP,
        /** {@code scale:(1 - d)}. */
        SCALE_DOWN,
        /** An integer count N >= 1. */
        COUNT
    }

    /** The probes on layer {@code layer} of a model of these dimensions, in table order. */
    static List<SensitivityProbe> all(ModelDims dims, int layer) {
        DiagnosisCode skipped = layer == 0 ? DiagnosisCode.ZERO_OUTPUT : DiagnosisCode.STALE_BUFFER;
        return List.of(
                new SensitivityProbe("scale-up", StepKind.UP, Strength.SCALE_UP, 1, "scale:%s",
                        DiagnosisCode.SCALE_FACTOR),
                new SensitivityProbe("scale-down", StepKind.UP, Strength.SCALE_DOWN, 0.5, "scale:%s",
                        DiagnosisCode.SCALE_FACTOR),
                new SensitivityProbe("scale-last-row", StepKind.UP, Strength.SCALE_UP, 1, "scale:%s@last",
                        DiagnosisCode.ROWS_LOCALIZED),
                new SensitivityProbe("perturb-ulp", StepKind.UP, Strength.COUNT, 4096, "perturb-ulp:%s", null),
                new SensitivityProbe("rope-offset", StepKind.Q_ROPE, Strength.COUNT, 64, "rope-offset:%s",
                        DiagnosisCode.POSITION_OFFSET),
                new SensitivityProbe("rope-offset-last", StepKind.Q_ROPE, Strength.COUNT, 64, "rope-offset:%s@last",
                        DiagnosisCode.POSITION_OFFSET),
                new SensitivityProbe("drop-columns", StepKind.FFN_OUT, Strength.COUNT, dims.intermediate() - 1,
                        "drop-columns:%s", null),
                new SensitivityProbe("zero", StepKind.SILU_GATE, Strength.NONE, 0, "zero", DiagnosisCode.ZERO_OUTPUT),
                new SensitivityProbe("nan", StepKind.ATTN_OUT, Strength.NONE, 0, "nan", DiagnosisCode.NON_FINITE),
                new SensitivityProbe("skip", StepKind.GATE, Strength.NONE, 0, "skip", skipped),
                new SensitivityProbe("no-causal-mask", StepKind.ATTN_PROBS, Strength.NONE, 0, "no-causal-mask",
                        DiagnosisCode.CAUSAL_MASK),
                new SensitivityProbe("causal-off-by-one", StepKind.ATTN_PROBS, Strength.NONE, 0, "causal-off-by-one",
                        DiagnosisCode.CAUSAL_MASK),
                new SensitivityProbe("no-scale", StepKind.ATTN_PROBS, Strength.NONE, 0, "no-scale",
                        DiagnosisCode.ATTENTION_SCALE),
                new SensitivityProbe("gqa-modulo", StepKind.ATTN_PROBS, Strength.NONE, 0, "gqa-modulo",
                        DiagnosisCode.LAYOUT_PERMUTATION),
                new SensitivityProbe("rope-interleaved", StepKind.Q_ROPE, Strength.NONE, 0, "rope-interleaved",
                        DiagnosisCode.POSITION_OFFSET),
                new SensitivityProbe("no-residual", StepKind.OUT, Strength.NONE, 0, "no-residual",
                        DiagnosisCode.MISSING_RESIDUAL),
                new SensitivityProbe("swap", StepKind.GATE, Strength.NONE, 0, "swap:" + StepKind.UP.stepName(layer),
                        DiagnosisCode.SWAPPED_INPUTS),
                new SensitivityProbe("half-accumulation", StepKind.FFN_OUT, Strength.NONE, 0, "half-accumulation",
                        DiagnosisCode.HALF_PRECISION_ACCUMULATION),
                new SensitivityProbe("norm-h-minus-1", StepKind.ATTN_NORM, Strength.NONE, 0, "norm-h-minus-1",
                        DiagnosisCode.SCALE_FACTOR));
    }

    /** The names of every probe (they do not depend on the model: any dimensions list them). */
    static List<String> names() {
        return all(ModelDims.TINYLLAMA_1_1B, 1).stream().map(SensitivityProbe::name).toList();
    }

    /** The faulted step on layer {@code layer}. */
    String stepName(int layer) {
        return step.stepName(layer);
    }

    /** The {@code --inject} spec at strength {@code s} (ignored by a fault without a strength). */
    String inject(int layer, double s) {
        String value = switch (strength) {
            case NONE -> "";
            case SCALE_UP -> number(1 + s);
            case SCALE_DOWN -> number(1 - s);
            case COUNT -> Integer.toString((int) s);
        };
        return stepName(layer) + "=" + kind.replace("%s", value);
    }

    /** The spec with its strength named: {@code layers.1.up=scale:F}, {@code layers.1.q_rope=rope-offset:N}. */
    String template(int layer) {
        String value = switch (strength) {
            case NONE -> "";
            case SCALE_UP, SCALE_DOWN -> "F";
            case COUNT -> "N";
        };
        return stepName(layer) + "=" + kind.replace("%s", value);
    }

    /** The strength as the table shows it: the deviation |F - 1| of a scale, else the count. */
    String describe(double s) {
        return strength == Strength.COUNT ? Integer.toString((int) s) : String.format(Locale.ROOT, "%.3g", s);
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.9g", v);
    }
}
