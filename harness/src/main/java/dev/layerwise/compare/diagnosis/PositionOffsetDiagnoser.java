package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.StepResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Row 0 matches but later rows diverge, the last among them: values that depend on the position are wrong while
 * position 0 is right. RoPE rotates position 0 by angle 0, so any RoPE error (positions not advanced or offset
 * after the first, wrong theta, interleaved instead of half-split pairs) leaves row 0 intact; so does a KV-cache
 * position offset.
 */
public final class PositionOffsetDiagnoser implements PatternDiagnoser {
    @Override
    public Optional<Diagnosis> match(StepResult div, DiagnosisContext ctx) {
        RowPattern rows = RowPattern.of(div, ctx);
        if (rows == null || !rows.clean(0) || rows.clean(rows.last())) {
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
}
