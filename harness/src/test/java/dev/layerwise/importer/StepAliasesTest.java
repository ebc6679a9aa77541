package dev.layerwise.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StepAliasesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "Embedding | embed",
        "x_norm (attn) | layers.0.attn_norm",
        "Q | layers.0.q",
        "K | layers.0.k",
        "V | layers.0.v",
        "attn_out | layers.0.attn_out",
        "hidden_1 (after attn) | layers.0.resid_mid",
        "x_norm2 (ffn) | layers.0.ffn_norm",
        "gate | layers.0.gate",
        "up | layers.0.up",
        "**silu_gate** | layers.0.silu_gate",
        "gated | layers.0.gated",
        "ffn_out | layers.0.ffn_out",
        "**Layer 0 output** | layers.0.out",
        "Layer 21 output | layers.21.out",
        "Final norm | final_norm",
        "Logits | logits",
        "Logits (last token) | logits.last_row",
        "layer_0.mlp_output | layers.0.ffn_out",
        "layer_0.attn_output | layers.0.attn_out",
        "layer_21_output | layers.21.out",
        "layers.3.silu_gate | layers.3.silu_gate",
        "logits.last_token | logits.last_row",
    })
    void mapsReportAndDumpNamesToCanonicalSteps(String original, String step) {
        assertEquals(Optional.of(step), StepAliases.resolve(original).map(StepAliases.Alias::step));
    }

    @Test
    void ignoresCaseBoldAndRepeatedSpaces() {
        assertEquals("layers.0.resid_mid", StepAliases.resolve("  **HIDDEN_1   (After Attn)** ").orElseThrow().step());
        assertEquals("final_norm", StepAliases.resolve("FINAL NORM").orElseThrow().step());
    }

    @Test
    void saysWhenTheLayerWasAssumed() {
        assertTrue(StepAliases.resolve("gate").orElseThrow().layerAssumed());
        assertFalse(StepAliases.resolve("Layer 0 output").orElseThrow().layerAssumed());
        assertFalse(StepAliases.resolve("Embedding").orElseThrow().layerAssumed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Top prediction", "rotary", "layer_0", "layer_0.whatever", "output"})
    void unknownNamesDoNotResolve(String name) {
        assertTrue(StepAliases.resolve(name).isEmpty(), name);
    }
}
