package dev.layerwise.compare.diagnosis;

/** What kind of fault a {@link Diagnosis} names (docs/diagnoses.md describes each). */
public enum DiagnosisCode {
    NON_FINITE,
    F16_OVERFLOW_RISK,
    ZERO_OUTPUT,
    STALE_BUFFER,
    CAUSAL_MASK,
    POSITION_OFFSET,
    LAYOUT_PERMUTATION,
    SCALE_FACTOR,
    SWAPPED_INPUTS,
    ZERO_FROM_NONZERO_INPUT,
    FFN_INEFFECTIVE,
    MISSING_RESIDUAL,
    ATTENTION_SCALE,
    HALF_PRECISION_ACCUMULATION,
    ROWS_LOCALIZED
}
