package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.StepResult;
import dev.layerwise.trace.StepKind;
import dev.layerwise.trace.Step;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A missing or wrong causal mask. Without the mask every query row attends to all positions; the LAST row attends
 * to all of them anyway, so it is unchanged while earlier rows differ. On {@code attn_probs} (first axis = heads,
 * no token rows) the evidence is the zero count instead: a causal mask zeroes nH * T(T-1)/2 entries, which the
 * reference has and the candidate lacks.
 */
public final class CausalMaskDiagnoser implements PatternDiagnoser {
    @Override
    public Optional<Diagnosis> match(StepResult div, DiagnosisContext ctx) {
        if (StepKind.ATTN_PROBS.is(div.name())) {
            return fromZeros(div, ctx);
        }
        RowPattern rows = RowPattern.of(div, ctx);
        if (rows == null || !rows.clean(rows.last()) || rows.clean(0)) {
            return Optional.empty();
        }
        int off = rows.offCount(0, rows.last());
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("last_row_deviation", rows.deviation()[rows.last()]);
        ev.put("row0_deviation", rows.deviation()[0]);
        ev.put("rows_off", off);
        ev.put("row_tolerance", rows.limit());
        return Optional.of(new Diagnosis(DiagnosisCode.CAUSAL_MASK, div.name(), "error confined to rows before the "
                + "last (" + off + " of " + rows.last() + " off, row 0 by " + Numbers.sci(rows.deviation()[0])
                + "); the last row, which attends to every position anyway, matches: the causal mask is missing or "
                + "wrong", ev));
    }

    private Optional<Diagnosis> fromZeros(StepResult div, DiagnosisContext ctx) {
        Step ref = div.reference();
        Step cand = div.candidate();
        if (ref == null || cand == null || ref.stats().zeros() == null || cand.stats().zeros() == null
                || ref.shape().length != 3) {
            return Optional.empty();
        }
        long heads = ref.shape()[0];
        long t = ref.shape()[1];
        long masked = heads * t * (t - 1) / 2;
        if (masked == 0 || ref.stats().zeros() < masked || cand.stats().zeros() >= masked) {
            return Optional.empty();
        }
        return Optional.of(new Diagnosis(DiagnosisCode.CAUSAL_MASK, div.name(), "the reference's attention "
                + "probabilities have " + ref.stats().zeros() + " exact zeros (a causal mask zeroes " + masked
                + "), the candidate's only " + cand.stats().zeros() + ": the causal mask is missing or wrong",
                Diagnosis.evidence("reference_zeros", ref.stats().zeros(), "candidate_zeros", cand.stats().zeros(),
                        "masked_entries", masked)));
    }
}
