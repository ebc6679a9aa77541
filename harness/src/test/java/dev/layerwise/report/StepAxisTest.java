package dev.layerwise.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.EngineTraces;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.CanonicalSteps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The per-step charts name their steps on the x axis, readably from 2 to hundreds of steps. */
class StepAxisTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();

    @Test
    void aSmallTraceNamesEveryStepOnTheErrorPerStepChart() {
        Comparison c = TraceComparator.create().compare(engine.run(DType.FLOAT32),
                engine.run(DType.FLOAT32, "layers.0.silu_gate=zero"));
        List<String> texts = svgTexts(Charts.errorPerStep(c));
        for (String step : List.of("embed", "layers.0.silu_gate", "layers.1.out", "final_norm", "logits")) {
            assertTrue(texts.contains(step), step + " not among " + texts);
        }
    }

    @Test
    void tinyLlamaIsLabelledAtLayerBoundaries() {
        List<String> steps = CanonicalSteps.all(22);
        Map<Integer, String> labels = StepAxis.labels(steps);
        assertEquals(377, steps.size());
        List<String> expected = new ArrayList<>(List.of("embed"));
        for (int layer = 0; layer < 22; layer++) {
            expected.add("layers." + layer);
        }
        expected.addAll(List.of("final_norm", "logits"));
        assertEquals(expected, List.copyOf(labels.values()));
        labels.forEach((x, label) -> assertEquals(label.startsWith("layers.") ? label + ".attn_norm" : label,
                steps.get(x - 1), "a layer is labelled at its first step"));
    }

    @Test
    void deepModelsLabelEveryKthLayerAndNeverMoreThanTheLimit() {
        Map<Integer, String> labels = StepAxis.labels(CanonicalSteps.all(80));
        assertTrue(labels.size() <= StepAxis.EVERY_STEP_UP_TO, labels.toString());
        assertTrue(labels.containsValue("layers.0") && labels.containsValue("layers.75")
                && !labels.containsValue("layers.1"), labels.toString());
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            unknown.add("custom_" + i);
        }
        assertTrue(StepAxis.labels(unknown).size() <= StepAxis.EVERY_STEP_UP_TO);
    }

    private static List<String> svgTexts(String svg) {
        List<String> texts = new ArrayList<>();
        Matcher m = Pattern.compile("<text[^>]*>([^<]*)</text>").matcher(svg);
        while (m.find()) {
            texts.add(m.group(1));
        }
        return texts;
    }
}
