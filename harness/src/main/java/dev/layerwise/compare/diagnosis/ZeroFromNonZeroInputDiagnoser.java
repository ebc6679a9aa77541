package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.StepFacts;
import dev.layerwise.compare.StepResult;
import dev.layerwise.trace.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * From the candidate alone (works on sum-only foreign dumps): a step that is exactly zero although every input it
 * is computed from is non-zero, e.g. {@code silu_gate} sum 0 from {@code gate} sum -7884 (silu(x) = 0 only at
 * x = 0). Steps whose input is itself zero are explained by it and not reported.
 */
public final class ZeroFromNonZeroInputDiagnoser implements Diagnoser {
    @Override
    public List<Diagnosis> diagnose(DiagnosisContext ctx) {
        List<Diagnosis> out = new ArrayList<>();
        for (StepResult r : ctx.results()) {
            Step c = r.candidate();
            if (c == null || !StepFacts.isAllZero(c)) {
                continue;
            }
            List<Step> inputs = ctx.candidateInputs(r.name());
            if (inputs.isEmpty() || !inputs.stream().allMatch(StepFacts::isNonZero)) {
                continue;
            }
            StringBuilder from = new StringBuilder();
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put(r.name() + ".sum", c.stats().sum());
            for (Step in : inputs) {
                from.append(from.isEmpty() ? "" : " and ").append("`").append(in.name()).append("` (sum ")
                        .append(Numbers.format(in.stats().sum())).append(")");
                ev.put(in.name() + ".sum", in.stats().sum());
            }
            out.add(new Diagnosis(DiagnosisCode.ZERO_FROM_NONZERO_INPUT, r.name(), "`" + r.name()
                    + "` is exactly 0 (sum 0) from a non-zero " + from + ": the operation returned zeros", ev));
        }
        return out;
    }
}
