package dev.layerwise.compare.diagnosis;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * A named suspicion about one step, with the numbers that support it.
 *
 * @param evidence metric name to value, in the order they were gathered (for report.json)
 */
public record Diagnosis(DiagnosisCode code, String step, String message, Map<String, Object> evidence) {

    /**
     * @throws IllegalArgumentException when evidence of several entries comes in a map without a defined order
     *     (e.g. {@code Map.of}, whose order changes from JVM run to JVM run), which would make report.json differ
     *     between two runs on the same input
     */
    public Diagnosis {
        if (evidence != null && evidence.size() > 1 && !(evidence instanceof SequencedMap)) {
            throw new IllegalArgumentException("evidence of " + code + " needs an ordered map: " + evidence.keySet());
        }
        evidence = evidence == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
    }

    /** Evidence in the order given: {@code evidence("a", 1, "b", 2)}. */
    public static Map<String, Object> evidence(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("evidence needs key, value pairs");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Override
    public String toString() {
        return code + " at " + step + ": " + message;
    }
}
