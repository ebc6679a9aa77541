package dev.layerwise.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.numeric.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaConfigReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsAllFields() throws IOException {
        LlamaConfig c = LlamaConfigReader.read(CheckpointFixtures.writeConfig(dir, CheckpointFixtures.config()));
        assertEquals(8, c.dims().hidden());
        assertEquals(16, c.dims().intermediate());
        assertEquals(1, c.dims().layers());
        assertEquals(2, c.dims().heads());
        assertEquals(1, c.dims().kvHeads());
        assertEquals(4, c.dims().headDim());
        assertEquals(10, c.dims().vocab());
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(10000.0, c.ropeTheta());
        assertEquals(64, c.maxPositionEmbeddings());
        assertEquals(DType.FLOAT32, c.torchDtype());
        assertFalse(c.tieWordEmbeddings());
        assertEquals("llama", c.raw().get("model_type").textValue());
    }

    @Test
    void appliesHuggingFaceDefaults() throws IOException {
        ObjectNode json = CheckpointFixtures.config();
        json.remove("num_key_value_heads");
        json.remove("torch_dtype");
        json.remove("rope_theta");
        json.put("dtype", "bfloat16");
        json.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 500000.0);
        json.put("head_dim", 16);
        LlamaConfig c = LlamaConfigReader.read(CheckpointFixtures.writeConfig(dir, json));
        assertEquals(2, c.dims().kvHeads());
        assertEquals(16, c.dims().headDim());
        assertEquals(DType.BFLOAT16, c.torchDtype());
        assertEquals(500000.0, c.ropeTheta());
    }

    @Test
    void rejectsAMissingRequiredField() throws IOException {
        ObjectNode json = CheckpointFixtures.config();
        json.remove("vocab_size");
        assertBad(json, "vocab_size", "required field is missing");
    }

    @Test
    void rejectsNonNumericFields() throws IOException {
        assertBad(CheckpointFixtures.config().put("hidden_size", "8"), "hidden_size", "must be a positive integer, found \"8\"");
        assertBad(CheckpointFixtures.config().put("num_hidden_layers", 0), "num_hidden_layers", "must be a positive integer");
        assertBad(CheckpointFixtures.config().put("rms_norm_eps", "tiny"), "rms_norm_eps", "must be a positive number");
    }

    @Test
    void rejectsOtherArchitecturesNamingTheSupportedOne() throws IOException {
        assertBad(CheckpointFixtures.config().put("model_type", "mistral"), "model_type",
                "'mistral' is not supported (supported: \"llama\")");
        ObjectNode json = CheckpointFixtures.config();
        json.putArray("architectures").add("Qwen2ForCausalLM");
        assertBad(json, "architectures", "\"Qwen2ForCausalLM\" is not supported (supported: [\"LlamaForCausalLM\"])");
    }

    @Test
    void rejectsRopeScaling() throws IOException {
        ObjectNode json = CheckpointFixtures.config();
        json.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0);
        assertBad(json, "rope_scaling", "RoPE scaling is not implemented (given type: llama3)");
        ObjectNode v5 = CheckpointFixtures.config();
        v5.putObject("rope_parameters").put("rope_type", "yarn");
        assertBad(v5, "rope_parameters.rope_type", "given type: yarn");
    }

    @Test
    void acceptsANullRopeScaling() throws IOException {
        ObjectNode json = CheckpointFixtures.config();
        json.putNull("rope_scaling");
        assertEquals(8, LlamaConfigReader.read(CheckpointFixtures.writeConfig(dir, json)).dims().hidden());
    }

    @Test
    void rejectsOtherActivationsAndBiases() throws IOException {
        assertBad(CheckpointFixtures.config().put("hidden_act", "gelu"), "hidden_act", "\"gelu\" is not supported (supported: \"silu\")");
        assertBad(CheckpointFixtures.config().put("attention_bias", true), "attention_bias", "true is not supported");
        assertBad(CheckpointFixtures.config().put("mlp_bias", true), "mlp_bias", "true is not supported");
    }

    @Test
    void rejectsHeadCountsThatDoNotDivide() throws IOException {
        assertBad(CheckpointFixtures.config().put("num_attention_heads", 3), "num_attention_heads", "3 does not divide hidden_size 8");
        assertBad(CheckpointFixtures.config().put("num_attention_heads", 4).put("num_key_value_heads", 3),
                "num_key_value_heads", "3 does not divide num_attention_heads 4");
    }

    @Test
    void rejectsAnUnknownDtype() throws IOException {
        assertBad(CheckpointFixtures.config().put("torch_dtype", "int4"), "torch_dtype", "unknown dtype 'int4'");
    }

    @Test
    void rejectsFilesThatAreNotJsonObjects() throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "[1]");
        assertBadFile(f, "must be a JSON object");
        Files.writeString(f, "{oops");
        assertBadFile(f, "not valid JSON");
        assertBadFile(dir.resolve("missing.json"), "no such file");
    }

    private void assertBad(ObjectNode json, String field, String cause) throws IOException {
        Path f = CheckpointFixtures.writeConfig(dir, json);
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> LlamaConfigReader.read(f));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().startsWith(f + ": " + field + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(cause), e.getMessage());
    }

    private static void assertBadFile(Path f, String cause) {
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> LlamaConfigReader.read(f));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(cause), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
