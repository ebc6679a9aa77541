package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.StepResult;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepKind;
import java.util.Optional;

/**
 * A residual step ({@code resid_mid = x + attn_out}, {@code out = resid_mid + ffn_out}) identical in the candidate
 * to its branch input alone, while the reference's two differ: the residual add is missing. Tried before
 * STALE_BUFFER, which would otherwise call the same identity a stale buffer.
 */
public final class MissingResidualDiagnoser implements PatternDiagnoser {
    @Override
    public Optional<Diagnosis> match(StepResult div, DiagnosisContext ctx) {
        StepKind branchKind = StepKind.of(div.name()).flatMap(StepKind::branch).orElse(null);
        Step x = div.candidate();
        if (branchKind == null || x == null) {
            return Optional.empty();
        }
        String branch = branchKind.stepName(CanonicalSteps.layerOf(div.name()));
        Step y = ctx.candidateStep(branch);
        if (y == null || y.elementCount() != x.elementCount()) {
            return Optional.empty();
        }
        String basis = StaleBufferDiagnoser.identical(x, y);
        Step rx = div.reference();
        Step ry = ctx.referenceStep(branch);
        if (basis == null || (rx != null && ry != null && StaleBufferDiagnoser.identical(rx, ry) != null)) {
            return Optional.empty();
        }
        return Optional.of(new Diagnosis(DiagnosisCode.MISSING_RESIDUAL, div.name(), "`" + div.name()
                + "` in the candidate is " + basis + " to `" + branch + "` (the reference's differ): the residual "
                + "add is missing, the step holds the branch output alone",
                Diagnosis.evidence("branch", branch, "basis", basis)));
    }
}
