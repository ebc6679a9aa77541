package dev.layerwise.trace;

/**
 * Names of last-row steps: a step a producer recorded for the last token only (e.g. a foreign dump's "logits of the
 * last token") is written as a real step {@code <step>.last_row} of shape [1, ...] whose statistics cover that one
 * row (docs/trace-format.md, "Partial steps").
 */
public final class LastRowSteps {
    public static final String SUFFIX = ".last_row";

    private LastRowSteps() {
    }

    /** {@code logits} gives {@code logits.last_row}. */
    public static String of(String step) {
        return step + SUFFIX;
    }

    public static boolean isLastRow(String name) {
        return name.endsWith(SUFFIX) && name.length() > SUFFIX.length();
    }

    /** The step a last-row step is the last row of ({@code logits.last_row} gives {@code logits}); other names unchanged. */
    public static String fullStepOf(String name) {
        return isLastRow(name) ? name.substring(0, name.length() - SUFFIX.length()) : name;
    }
}
