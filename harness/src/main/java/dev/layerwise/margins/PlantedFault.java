package dev.layerwise.margins;

import dev.layerwise.compare.diagnosis.DiagnosisCode;
import java.util.List;

/**
 * A fault planted in the engine ({@code --inject}), the step where a comparison with a clean reference must
 * localize it, a diagnosis that must be given there (null for a fault no diagnosis names yet: then only the step
 * is required), and the model dtypes in which the fault is above the detection limit of its step. {@link #CATALOG}
 * (on the tiny preset) is what {@code FaultLocalizationIT} checks and {@link MarginsTool} measures.
 */
public record PlantedFault(String inject, String firstDivergence, DiagnosisCode diagnosis, List<String> localizedIn) {
    static final List<String> ALL_DTYPES = List.of("f32", "f16", "bf16");

    public PlantedFault(String inject, String firstDivergence, DiagnosisCode diagnosis) {
        this(inject, firstDivergence, diagnosis, ALL_DTYPES);
    }

    /** True when the fault must be localized in a model of this dtype (f32, f16, bf16). */
    public boolean localizedIn(String dtype) {
        return localizedIn.contains(dtype);
    }

    public static final List<PlantedFault> CATALOG = List.of(
            new PlantedFault("layers.0.silu_gate=zero", "layers.0.silu_gate", DiagnosisCode.ZERO_FROM_NONZERO_INPUT),
            new PlantedFault("layers.1.silu_gate=zero", "layers.1.silu_gate", DiagnosisCode.ZERO_OUTPUT),
            new PlantedFault("layers.0.attn_probs=no-causal-mask", "layers.0.attn_probs", DiagnosisCode.CAUSAL_MASK),
            new PlantedFault("layers.0.q_rope=rope-interleaved", "layers.0.q_rope", DiagnosisCode.POSITION_OFFSET),
            new PlantedFault("layers.1.k_rope=rope-interleaved", "layers.1.k_rope", DiagnosisCode.POSITION_OFFSET),
            new PlantedFault("layers.0.q_rope=rope-offset:3", "layers.0.q_rope", DiagnosisCode.POSITION_OFFSET),
            new PlantedFault("layers.0.attn_probs=no-scale", "layers.0.attn_probs", DiagnosisCode.ATTENTION_SCALE),
            new PlantedFault("layers.0.attn_ctx=gqa-modulo", "layers.0.attn_ctx", DiagnosisCode.LAYOUT_PERMUTATION),
            new PlantedFault("layers.0.attn_probs=gqa-modulo", "layers.0.attn_probs",
                    DiagnosisCode.LAYOUT_PERMUTATION),
            new PlantedFault("layers.0.resid_mid=no-residual", "layers.0.resid_mid", DiagnosisCode.MISSING_RESIDUAL),
            new PlantedFault("layers.1.out=no-residual", "layers.1.out", DiagnosisCode.MISSING_RESIDUAL),
            new PlantedFault("layers.0.gate=swap:layers.0.up", "layers.0.gate", DiagnosisCode.SWAPPED_INPUTS),
            new PlantedFault("layers.0.ffn_out=stale:layers.0.attn_out", "layers.0.ffn_out",
                    DiagnosisCode.STALE_BUFFER),
            new PlantedFault("layers.1.gate=skip", "layers.1.gate", DiagnosisCode.STALE_BUFFER),
            new PlantedFault("layers.0.v=skip", "layers.0.v", DiagnosisCode.ZERO_OUTPUT),
            new PlantedFault("layers.0.attn_out=nan", "layers.0.attn_out", DiagnosisCode.NON_FINITE),
            new PlantedFault("layers.1.up=scale:2", "layers.1.up", DiagnosisCode.SCALE_FACTOR),
            // The bugs of issue 8 (docs/tolerances.md, "Sensitivity"): realistic sizes, not gross ones.
            new PlantedFault("layers.0.attn_probs=causal-off-by-one", "layers.0.attn_probs", DiagnosisCode.CAUSAL_MASK),
            new PlantedFault("layers.1.q_rope=rope-offset:1@last", "layers.1.q_rope", DiagnosisCode.POSITION_OFFSET),
            // sqrt(64/63) - 1 = 0.79 %: in bf16 under the norm's systematic allowance of 3 u = 1.17 %, which engines
            // that truncate to bf16 need (docs/tolerances.md); f32 and f16 see it.
            new PlantedFault("layers.0.attn_norm=norm-h-minus-1", "layers.0.attn_norm", DiagnosisCode.SCALE_FACTOR,
                    List.of("f32", "f16")),
            new PlantedFault("layers.1.up=scale:2@last", "layers.1.up", DiagnosisCode.ROWS_LOCALIZED),
            new PlantedFault("layers.0.ffn_out=drop-columns:16", "layers.0.ffn_out", null));

    /**
     * Faults whose error grows with the reduction length, planted on the {@code wide-i11008} shape (intermediate
     * size 11008, reference-dumps/clean-spread). A half accumulator over n terms leaves about u * sqrt(n / 6): over
     * the tiny preset's 176 that is 5 u, under the 6 u * sqrt(1 + depth) that correct engines need; over 11008 it
     * is 43 u.
     */
    public static final List<PlantedFault> LONG_REDUCTION = List.of(
            new PlantedFault("layers.1.ffn_out=half-accumulation", "layers.1.ffn_out",
                    DiagnosisCode.HALF_PRECISION_ACCUMULATION),
            new PlantedFault("layers.0.ffn_out=half-accumulation", "layers.0.ffn_out",
                    DiagnosisCode.HALF_PRECISION_ACCUMULATION));
}
