package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.StepFacts;
import dev.layerwise.compare.StepResult;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.LastRowSteps;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where non-finite values first appear in the candidate while the reference is finite (or absent: a candidate's
 * own non-finite logits are a fault whatever the reference says). When the reference's largest |value| there is
 * within a factor 2 of float16's maximum 65504 and the candidate is float16, the cause is range, not logic:
 * F16_OVERFLOW_RISK.
 */
public final class NonFiniteDiagnoser implements Diagnoser {
    static final double F16_MAX = 65504;

    @Override
    public List<Diagnosis> diagnose(DiagnosisContext ctx) {
        List<Diagnosis> out = new ArrayList<>();
        for (StepResult r : ctx.results()) {
            Step c = r.candidate();
            if (c == null) {
                continue;
            }
            long n = StepFacts.nonFinite(c);
            if (n == 0 || (r.reference() != null && StepFacts.nonFinite(r.reference()) > 0)) {
                continue;
            }
            Map<String, Object> ev = new LinkedHashMap<>();
            Stats s = c.stats();
            String what;
            if (s.nonFinite() != null) {
                ev.put("nan", s.nan());
                ev.put("pos_inf", s.posInf());
                ev.put("neg_inf", s.negInf());
                what = s.nan() + " NaN, " + s.posInf() + " +inf, " + s.negInf() + " -inf";
            } else {
                ev.put("sum", s.sum());
                what = "sum " + Numbers.format(s.sum());
            }
            Double refMax = r.reference() == null ? null : StepFacts.maxAbs(r.reference());
            if (refMax != null) {
                ev.put("reference_max_abs", refMax);
            }
            String refPart = r.reference() == null ? "the reference does not record it"
                    : !r.reference().name().equals(r.name()) && LastRowSteps.isLastRow(r.reference().name())
                            ? "the reference records only its last row, which is finite"
                            : "the reference is finite there";
            if (c.dtype() == DType.FLOAT16 && refMax != null && refMax >= F16_MAX / 2) {
                out.add(new Diagnosis(DiagnosisCode.F16_OVERFLOW_RISK, r.name(), "`" + r.name() + "` non-finite in the "
                        + "float16 candidate (" + what + ") where the reference reaches |x| = " + Numbers.format(refMax)
                        + ", near float16's maximum 65504: an overflow of the float16 range, not a logic error", ev));
            } else {
                out.add(new Diagnosis(DiagnosisCode.NON_FINITE, r.name(), "`" + r.name() + "` non-finite in the "
                        + "candidate (" + what + "): the first step with non-finite values; " + refPart, ev));
            }
            break;
        }
        return out;
    }
}
