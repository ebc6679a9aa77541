package dev.layerwise.margins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SensitivityOptionsTest {

    @Test
    void defaultsAreTinyAndSmallEveryDtypeAndFaultTheLastLayer() {
        SensitivityOptions o = SensitivityOptions.parse();
        assertEquals(List.of("tiny", "small"), o.presets());
        assertEquals(List.of("f32", "f16", "bf16"), o.dtypes());
        assertTrue(o.selects("half-accumulation"));
        assertEquals(21, o.layer(22));
        assertEquals(8, o.steps());
    }

    @Test
    void flagsSelectPresetsDtypesKindsAndLayer() {
        SensitivityOptions o = SensitivityOptions.parse("--presets", "tinyllama-1.1b", "--dtypes", "bf16", "--kinds",
                "scale-up,rope-offset-last", "--layer", "0", "--steps", "3");
        assertEquals(List.of("tinyllama-1.1b"), o.presets());
        assertEquals(List.of("bf16"), o.dtypes());
        assertTrue(o.selects("rope-offset-last"));
        assertFalse(o.selects("scale-down"));
        assertEquals(0, o.layer(22));
        assertEquals(3, o.steps());
    }

    @Test
    void badFlagsAreOneLineErrors() {
        String[][] bad = {
            {"--presets", "huge"}, {"--dtypes", "f8"}, {"--kinds", "explode"}, {"--layer", "-1"}, {"--steps", "x"},
            {"--frobnicate", "1"}, {"--presets"}};
        for (String[] args : bad) {
            LayerwiseException e = assertThrows(LayerwiseException.class, () -> SensitivityOptions.parse(args));
            assertEquals(2, e.exitCode());
            assertTrue(e.getMessage().startsWith(args[0] + ": "), e.getMessage());
        }
        LayerwiseException beyond = assertThrows(LayerwiseException.class,
                () -> SensitivityOptions.parse("--layer", "2").layer(2));
        assertTrue(beyond.getMessage().contains("beyond the model's 2 layers"), beyond.getMessage());
    }
}
