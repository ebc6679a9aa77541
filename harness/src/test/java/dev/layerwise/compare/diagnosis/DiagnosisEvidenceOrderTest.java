package dev.layerwise.compare.diagnosis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Evidence keeps the order it was gathered in, so report.json is the same bytes in every JVM. */
class DiagnosisEvidenceOrderTest {

    @Test
    void evidenceKeepsArgumentOrder() {
        Diagnosis d = new Diagnosis(DiagnosisCode.ZERO_OUTPUT, "layers.0.q", "m",
                Diagnosis.evidence("z", 1, "a", 2, "m", 3));
        assertEquals(List.of("z", "a", "m"), List.copyOf(d.evidence().keySet()));
    }

    @Test
    void anUnorderedMapOfSeveralEntriesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Diagnosis(
                DiagnosisCode.ZERO_OUTPUT, "layers.0.q", "m", Map.of("a", 1, "b", 2)));
        assertEquals("evidence of ZERO_OUTPUT needs an ordered map: ", e.getMessage().replaceAll("\\[.*]", ""));
        new Diagnosis(DiagnosisCode.ZERO_OUTPUT, "layers.0.q", "m", Map.of("a", 1));
    }
}
