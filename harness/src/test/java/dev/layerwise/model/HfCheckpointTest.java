package dev.layerwise.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void opensASingleFileCheckpoint() throws IOException {
        CheckpointFixtures.writeCheckpoint(dir, CheckpointFixtures.config());
        try (HfCheckpoint c = HfCheckpoint.open(dir)) {
            assertEquals(12, c.tensorNames().size());
            assertArrayEquals(new long[] {4, 8}, c.tensor("model.layers.0.self_attn.k_proj.weight").shape());
            assertEquals(0f, c.tensor("lm_head.weight").getFloat(79));
            assertEquals(1, c.files().size());
        }
    }

    @Test
    void opensAShardedCheckpointThroughItsIndex() throws IOException {
        ObjectNode json = CheckpointFixtures.config();
        CheckpointFixtures.writeConfig(dir, json);
        List<LlamaTensors.Spec> all = LlamaTensors.expected(LlamaConfigReader.read(dir.resolve("config.json")));
        List<LlamaTensors.Spec> first = all.subList(0, 5);
        List<LlamaTensors.Spec> second = all.subList(5, all.size());
        CheckpointFixtures.writeSafetensors(dir.resolve("model-00001-of-00002.safetensors"), first);
        CheckpointFixtures.writeSafetensors(dir.resolve("model-00002-of-00002.safetensors"), second);
        ObjectNode index = new ObjectMapper().createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode map = index.putObject("weight_map");
        first.forEach(s -> map.put(s.name(), "model-00001-of-00002.safetensors"));
        second.forEach(s -> map.put(s.name(), "model-00002-of-00002.safetensors"));
        Path indexFile = dir.resolve("model.safetensors.index.json");
        new ObjectMapper().writeValue(indexFile.toFile(), index);
        try (HfCheckpoint c = HfCheckpoint.open(dir)) {
            assertEquals(2, c.files().size());
            assertEquals(12, c.tensorNames().size());
            assertArrayEquals(new long[] {8, 16}, c.tensor("model.layers.0.mlp.down_proj.weight").shape());
        }

        map.put("model.norm.weight", "model-00001-of-00002.safetensors");
        new ObjectMapper().writeValue(indexFile.toFile(), index);
        assertBad(indexFile, "weight_map.model.norm.weight",
                "the index places it in model-00001-of-00002.safetensors, but that shard has no such tensor");

        map.put("model.norm.weight", "model-00003-of-00002.safetensors");
        new ObjectMapper().writeValue(indexFile.toFile(), index);
        assertBad(indexFile, "weight_map.model.norm.weight", "shard model-00003-of-00002.safetensors does not exist");

        map.put("model.norm.weight", "../elsewhere.safetensors");
        new ObjectMapper().writeValue(indexFile.toFile(), index);
        assertBad(indexFile, "weight_map.model.norm.weight", "must name a shard file in the same directory");
    }

    @Test
    void rejectsATensorWhoseShapeDisagreesWithTheConfig() throws IOException {
        CheckpointFixtures.writeConfig(dir, CheckpointFixtures.config());
        List<LlamaTensors.Spec> specs = new ArrayList<>(LlamaTensors.expected(LlamaConfigReader.read(dir.resolve("config.json"))));
        specs.replaceAll(s -> s.name().equals("model.layers.0.self_attn.q_proj.weight")
                ? new LlamaTensors.Spec(s.name(), new long[] {8, 4}) : s);
        CheckpointFixtures.writeSafetensors(dir.resolve("model.safetensors"), specs);
        assertBad(dir, "tensor model.layers.0.self_attn.q_proj.weight", "expected shape [8, 8], found [8, 4]");
    }

    @Test
    void rejectsAMissingTensorUnlessItIsATiedLmHead() throws IOException {
        ObjectNode json = CheckpointFixtures.config();
        CheckpointFixtures.writeConfig(dir, json);
        List<LlamaTensors.Spec> specs = new ArrayList<>(LlamaTensors.expected(LlamaConfigReader.read(dir.resolve("config.json"))));
        specs.removeIf(s -> s.name().equals("lm_head.weight"));
        CheckpointFixtures.writeSafetensors(dir.resolve("model.safetensors"), specs);
        assertBad(dir, "tensor lm_head.weight", "missing (config.json implies shape [10, 8])");

        CheckpointFixtures.writeConfig(dir, json.put("tie_word_embeddings", true));
        try (HfCheckpoint c = HfCheckpoint.open(dir)) {
            assertEquals("model.embed_tokens.weight", c.tensor("lm_head.weight").name());
            assertSame(null, c.entry("lm_head.weight"));
        }
    }

    @Test
    void rejectsADirectoryWithoutWeights() throws IOException {
        CheckpointFixtures.writeConfig(dir, CheckpointFixtures.config());
        assertBad(dir, null, "no model.safetensors and no model.safetensors.index.json");
        Path nope = dir.resolve("nope");
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> HfCheckpoint.open(nope));
        assertEquals(nope + ": no such directory", e.getMessage());
    }

    @Test
    void rejectsABadConfigNamingTheConfigFile() throws IOException {
        CheckpointFixtures.writeCheckpoint(dir, CheckpointFixtures.config());
        CheckpointFixtures.writeConfig(dir, CheckpointFixtures.config().put("hidden_act", "relu"));
        assertBad(dir.resolve("config.json"), "hidden_act", "not supported");
    }

    private void assertBad(Path where, String field, String cause) {
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> HfCheckpoint.open(dir).close());
        assertEquals(2, e.exitCode());
        String prefix = where + ": " + (field == null ? "" : field + ": ");
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertTrue(e.getMessage().contains(cause), e.getMessage());
    }
}
