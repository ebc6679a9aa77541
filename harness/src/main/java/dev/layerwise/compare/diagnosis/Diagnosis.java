package dev.layerwise.compare.diagnosis;

import java.util.Map;

/**
 * A named suspicion about one step, with the numbers that support it.
 *
 * @param evidence metric name to value, in the order they were gathered (for report.json)
 */
public record Diagnosis(DiagnosisCode code, String step, String message, Map<String, Object> evidence) {

    public Diagnosis {
        evidence = evidence == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(evidence));
    }

    @Override
    public String toString() {
        return code + " at " + step + ": " + message;
    }
}
