package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.StepFacts;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.StepKind;
import dev.layerwise.trace.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * From the candidate alone: {@code layers.i.out} equal to {@code layers.i.resid_mid} (same hash, or the exact same
 * sum) means out = resid_mid + ffn_out added nothing: the FFN is ineffective. Not reported where the reference shows
 * the same equality.
 */
public final class FfnIneffectiveDiagnoser implements Diagnoser {
    @Override
    public List<Diagnosis> diagnose(DiagnosisContext ctx) {
        List<Diagnosis> out = new ArrayList<>();
        for (Step o : ctx.candidate().steps()) {
            if (!StepKind.OUT.is(o.name())) {
                continue;
            }
            int layer = CanonicalSteps.layerOf(o.name());
            String midName = CanonicalSteps.layerStep(layer, "resid_mid");
            Step mid = ctx.candidateStep(midName);
            if (mid == null || !equalValues(o, mid) || StepFacts.isAllZero(o) || !finite(o)) {
                continue;
            }
            Step refOut = ctx.referenceStep(o.name());
            Step refMid = ctx.referenceStep(midName);
            if (refOut != null && refMid != null && equalValues(refOut, refMid)) {
                continue;
            }
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put(o.name() + ".sum", o.stats().sum());
            ev.put(midName + ".sum", mid.stats().sum());
            String extra = "";
            Step ffn = ctx.candidateStep(CanonicalSteps.layerStep(layer, "ffn_out"));
            if (ffn != null) {
                ev.put(ffn.name() + ".sum", ffn.stats().sum());
                extra = "; `" + ffn.name() + "` sum " + Numbers.format(ffn.stats().sum());
            }
            if (refOut != null) {
                ev.put("reference." + o.name() + ".sum", refOut.stats().sum());
                extra += "; the reference's `" + o.name() + "` sum is " + Numbers.format(refOut.stats().sum());
            }
            String basis = o.sha256() != null && mid.sha256() != null ? "is bit-identical to" : "has the same sum "
                    + Numbers.format(o.stats().sum()) + " as";
            out.add(new Diagnosis(DiagnosisCode.FFN_INEFFECTIVE, o.name(), "FFN ineffective in layer " + layer + ": `"
                    + o.name() + "` " + basis + " `" + midName + "`, so ffn_out contributes nothing" + extra, ev));
        }
        return out;
    }

    private static boolean finite(Step s) {
        return StepFacts.nonFinite(s) == 0;
    }

    private static boolean equalValues(Step a, Step b) {
        if (a.sha256() != null && b.sha256() != null) {
            return a.sha256().equals(b.sha256());
        }
        return Double.isFinite(a.stats().sum()) && a.stats().sum() == b.stats().sum()
                && Objects.equals(a.stats().sumSq(), b.stats().sumSq());
    }
}
