package dev.layerwise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LayerwiseExceptionTest {

    @Test
    void lineBreaksQuotedFromAFileAreEscapedSoTheMessageStaysOneLine() {
        LayerwiseException e = LayerwiseException.badInput("m.safetensors", "tensor a\nb", "unknown dtype 'x\r\u0000'");
        assertEquals("m.safetensors: tensor a\\nb: unknown dtype 'x\\r\\u0000'", e.getMessage());
    }

    @Test
    void ordinaryMessagesAreUnchanged() {
        assertEquals("f.json: steps[0].shape: must be\tan array", LayerwiseException
                .badInput("f.json", "steps[0].shape", "must be\tan array").getMessage());
        assertEquals(LayerwiseException.BAD_INPUT, LayerwiseException.badInput("f", null, "c").exitCode());
    }
}
