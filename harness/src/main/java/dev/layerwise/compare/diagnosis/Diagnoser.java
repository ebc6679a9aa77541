package dev.layerwise.compare.diagnosis;

import java.util.List;

/** Looks over a whole comparison (both traces, every step) for one kind of fault. */
@FunctionalInterface
public interface Diagnoser {
    List<Diagnosis> diagnose(DiagnosisContext context);
}
