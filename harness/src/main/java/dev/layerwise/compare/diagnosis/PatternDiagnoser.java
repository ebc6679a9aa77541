package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.StepResult;
import java.util.Optional;

/**
 * Explains the error pattern of the divergence step. Patterns are tried in the registry's order and the first that
 * matches wins: a step has one root cause.
 */
@FunctionalInterface
public interface PatternDiagnoser {
    Optional<Diagnosis> match(StepResult divergence, DiagnosisContext context);
}
