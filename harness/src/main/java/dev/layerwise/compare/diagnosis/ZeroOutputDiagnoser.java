package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.DecisiveEvidence;
import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.StepFacts;
import dev.layerwise.compare.StepResult;
import dev.layerwise.trace.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * A candidate step that is all zeros (never written, or a kernel that did not run) while the reference's is not.
 * Only the first of a chain is reported: a zero step whose own input is zero in the candidate is explained by it.
 */
public final class ZeroOutputDiagnoser implements Diagnoser {
    @Override
    public List<Diagnosis> diagnose(DiagnosisContext ctx) {
        List<Diagnosis> out = new ArrayList<>();
        for (StepResult r : ctx.results()) {
            // the same evidence that fails the step (DecisiveEvidence), so the diagnosis never sits on a passing step
            if (!DecisiveEvidence.allZeroWhereReferenceIsNot(r.pair())) {
                continue;
            }
            boolean explained = ctx.candidateInputs(r.name()).stream().anyMatch(StepFacts::isAllZero);
            if (explained) {
                continue;
            }
            Step ref = r.reference();
            String refSize = ref.stats().absSum() != null ? "abs_sum " + Numbers.format(ref.stats().absSum())
                    : "sum " + Numbers.format(ref.stats().sum());
            out.add(new Diagnosis(DiagnosisCode.ZERO_OUTPUT, r.name(), "`" + r.name() + "` is all zeros in the "
                    + "candidate while the reference's is not (" + refSize + "): the step was never written or its "
                    + "kernel did not run", Diagnosis.evidence("candidate_sum", r.candidate().stats().sum(),
                            "reference_sum", ref.stats().sum())));
        }
        return out;
    }
}
