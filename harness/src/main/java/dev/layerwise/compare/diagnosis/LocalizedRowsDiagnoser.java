package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.StepMetrics;
import dev.layerwise.compare.StepResult;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A few token rows diverge and every other row agrees: the bug touches only those tokens' path (the newest token's
 * decode step, a KV-cache write or read at one position, a last-token special case), not the computation as a
 * whole. At most {@code max(1, T / 8)} rows off, each at least {@link #SEPARATION} times further off than any other
 * row (an error spread over every row, such as rounding noise, leaves some rows just over the limit and the rest
 * just under it: that is not localized). A RoPE step whose rows all keep their norms is left to
 * {@link PositionOffsetDiagnoser} (a rotation by the wrong angle, which that names).
 */
public final class LocalizedRowsDiagnoser implements PatternDiagnoser {
    /** At most this share of the rows may be off for the error to count as localized. */
    static final int ROW_SHARE = 8;
    /** How much further off than every other row the off rows must be. */
    static final double SEPARATION = 2.0;

    @Override
    public Optional<Diagnosis> match(StepResult div, DiagnosisContext ctx) {
        RowPattern rows = RowPattern.of(div, ctx);
        if (rows == null || rows.deviation().length < 4) {
            return Optional.empty();
        }
        StepKind kind = StepKind.of(div.name()).orElse(null);
        StepMetrics m = div.metrics();
        if (kind != null && kind.op() == StepKind.Op.ROPE && rows.keepsNorms(m)) {
            return Optional.empty();
        }
        List<Integer> off = new ArrayList<>();
        double leastOff = Double.POSITIVE_INFINITY;
        double mostOther = 0;
        for (int r = 0; r < rows.deviation().length; r++) {
            if (rows.clean(r)) {
                mostOther = Math.max(mostOther, rows.deviation()[r]);
            } else {
                off.add(r);
                leastOff = Math.min(leastOff, rows.deviation()[r]);
            }
        }
        int allowed = Math.max(1, rows.deviation().length / ROW_SHARE);
        if (off.isEmpty() || off.size() > allowed || !(leastOff >= SEPARATION * mostOther)) {
            return Optional.empty();
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("rows_off", off);
        ev.put("rows", rows.deviation().length);
        ev.put("worst_row_deviation", rows.deviation()[rows.worst()]);
        ev.put("row_tolerance", rows.limit());
        String scale = "";
        if (off.size() == 1) {
            Double ratio = rowNormRatio(div.reference(), div.candidate(), off.get(0));
            if (ratio != null) {
                ev.put("row_norm_ratio", ratio);
                scale = " (its norm ratio " + Numbers.format(ratio) + ")";
            }
        }
        boolean lastOnly = off.size() == 1 && off.get(0) == rows.last();
        return Optional.of(new Diagnosis(DiagnosisCode.ROWS_LOCALIZED, div.name(), (lastOnly
                ? "only the last token's row diverges" + scale + "; the other " + rows.last() + " rows agree"
                : "only rows " + off + " of " + rows.deviation().length + " diverge" + scale + "; the others agree")
                + ": a bug on those tokens' path alone (the newest token's decode step, a KV-cache write or read at "
                + "that position, a last-token special case)", ev));
    }

    private static Double rowNormRatio(Step ref, Step cand, int row) {
        if (ref == null || cand == null || ref.rowSumSq() == null || cand.rowSumSq() == null
                || ref.rowSumSq()[row] <= 0) {
            return null;
        }
        return Math.sqrt(cand.rowSumSq()[row] / ref.rowSumSq()[row]);
    }
}
