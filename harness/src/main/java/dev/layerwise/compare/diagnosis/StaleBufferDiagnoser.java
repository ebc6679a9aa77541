package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.StepFacts;
import dev.layerwise.compare.StepResult;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The divergent candidate step is bit-identical (sha256) or statistics-identical to an earlier step of the
 * candidate, while the reference's two steps differ: the step's buffer still holds another step's values (never
 * written, or the wrong buffer read). All-zero steps are left to ZERO_OUTPUT, and an identity explained by a zero
 * input (out = resid_mid + 0) to FFN_INEFFECTIVE.
 */
public final class StaleBufferDiagnoser implements PatternDiagnoser {
    @Override
    public Optional<Diagnosis> match(StepResult div, DiagnosisContext ctx) {
        Step x = div.candidate();
        if (x == null || StepFacts.isAllZero(x) || StepFacts.nonFinite(x) > 0) {
            return Optional.empty();
        }
        List<Step> inputs = ctx.candidateInputs(x.name());
        if (inputs.stream().anyMatch(StepFacts::isAllZero)) {
            return Optional.empty();
        }
        for (StepResult earlier : ctx.results()) {
            if (earlier.name().equals(x.name())) {
                break;
            }
            Step y = earlier.candidate();
            if (y == null || y.elementCount() != x.elementCount()) {
                continue;
            }
            String basis = identical(x, y);
            if (basis == null) {
                continue;
            }
            Step rx = div.reference();
            Step ry = earlier.reference();
            if (rx != null && ry != null && identical(rx, ry) != null) {
                continue;
            }
            return Optional.of(new Diagnosis(DiagnosisCode.STALE_BUFFER, x.name(), "`" + x.name()
                    + "` in the candidate is " + basis + " to its `" + y.name() + "` (the reference's differ): a stale "
                    + "buffer: the step's output was never written, or another step's buffer was read",
                    Diagnosis.evidence("identical_to", y.name(), "basis", basis)));
        }
        return Optional.empty();
    }

    /** "bit-identical" or "statistics-identical", or null. */
    static String identical(Step a, Step b) {
        if (a.sha256() != null && b.sha256() != null) {
            return a.sha256().equals(b.sha256()) ? "bit-identical" : null;
        }
        Stats s = a.stats();
        Stats t = b.stats();
        boolean full = s.sumSq() != null && s.absSum() != null && s.min() != null;
        return full && s.sum() == t.sum() && s.absSum().equals(t.absSum()) && s.sumSq().equals(t.sumSq())
                && Objects.equals(s.min(), t.min()) && Objects.equals(s.max(), t.max())
                ? "statistics-identical" : null;
    }
}
