package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.SketchNoise;
import dev.layerwise.compare.StepMetrics;
import dev.layerwise.compare.StepResult;
import dev.layerwise.trace.StepKind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Row 0 matches but later rows diverge, the last among them: values that depend on the position are wrong while
 * position 0 is right. RoPE rotates position 0 by angle 0, so any RoPE error (positions not advanced or offset
 * after the first, wrong theta, interleaved instead of half-split pairs) leaves row 0 intact; so does a KV-cache
 * position offset.
 *
 * <p>At {@code q_rope}/{@code k_rope} the evidence is RoPE's own: a rotation keeps every row's norm, so a RoPE step
 * that fails element-wise while every row keeps its norm was rotated by the wrong angles; with row 0 intact the
 * angles are wrong from position 1 on (frequencies, pair layout), with row 0 off the positions are offset. (The
 * last row's sum alone may happen to survive a wrong rotation, so no particular later row is required; without
 * sketches or row norms the row-0 rule applies there too.) Not at
 * {@code attn_ctx}: its row 0 is position 0's value row, which any head mix-up rearranges without changing its
 * norm or sum, so a clean row 0 there does not point at positions.
 */
public final class PositionOffsetDiagnoser implements PatternDiagnoser {
    @Override
    public Optional<Diagnosis> match(StepResult div, DiagnosisContext ctx) {
        StepKind kind = StepKind.of(div.name()).orElse(null);
        if (kind != null && kind.op() == StepKind.Op.ROPE) {
            Optional<Diagnosis> rotation = wrongRotation(div, ctx);
            if (rotation.isPresent()) {
                return rotation;
            }
        }
        RowPattern rows = RowPattern.of(div, ctx);
        if (kind == StepKind.ATTN_CTX || rows == null || !rows.clean(0) || rows.clean(rows.last())) {
            return Optional.empty();
        }
        int off = rows.offCount(1, rows.deviation().length);
        int worst = rows.worst();
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("row0_deviation", rows.deviation()[0]);
        ev.put("rows_off", off);
        ev.put("worst_row", worst);
        ev.put("worst_row_deviation", rows.deviation()[worst]);
        ev.put("row_tolerance", rows.limit());
        return Optional.of(new Diagnosis(DiagnosisCode.POSITION_OFFSET, div.name(), "row 0 matches but " + off + " of "
                + rows.last() + " later rows diverge (worst row " + worst + " by " + Numbers.sci(rows.deviation()[worst])
                + "): a position-dependent error with position 0 right (RoPE positions not advanced or offset, wrong "
                + "RoPE frequencies or pair layout, KV-cache offset)", ev));
    }

    private static Optional<Diagnosis> wrongRotation(StepResult div, DiagnosisContext ctx) {
        RowPattern rows = RowPattern.of(div, ctx);
        StepMetrics m = div.metrics();
        if (rows == null || m.relL2() == null || !rows.keepsNorms(m)
                || !(m.relL2() > div.tolerance().relL2() * SketchNoise.acceptFactor(m.sketchK()))) {
            return Optional.empty();
        }
        boolean row0 = rows.clean(0);
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("rel_l2", m.relL2());
        ev.put("max_row_norm_dev", m.maxRowNormDev());
        ev.put("row0_deviation", rows.deviation()[0]);
        ev.put("row_tolerance", rows.limit());
        return Optional.of(new Diagnosis(DiagnosisCode.POSITION_OFFSET, div.name(), "rotated by the wrong angles: rel L2 "
                + "error " + Numbers.sci(m.relL2()) + " while every row keeps its norm (worst "
                + Numbers.sci(m.maxRowNormDev()) + "), " + (row0
                        ? "and row 0 (angle 0) matches: wrong RoPE frequencies or pair layout (interleaved vs "
                                + "half-split), positions not advanced"
                        : "and row 0 is rotated too: positions offset (a wrong start position or KV-cache offset)"),
                ev));
    }
}
