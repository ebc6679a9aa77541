package dev.layerwise.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.model.safetensors.RawSafetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Small hand-built HF checkpoints (zero-filled F32 tensors) for reader tests. */
public final class CheckpointFixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointFixtures() {
    }

    /** A valid config: H=8, I=16, 1 layer, 2 heads, 1 KV head, V=10. */
    public static ObjectNode config() {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_size", 8);
        c.put("intermediate_size", 16);
        c.put("num_hidden_layers", 1);
        c.put("num_attention_heads", 2);
        c.put("num_key_value_heads", 1);
        c.put("vocab_size", 10);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        c.put("max_position_embeddings", 64);
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", false);
        c.put("torch_dtype", "float32");
        return c;
    }

    public static Path writeConfig(Path dir, ObjectNode config) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve("config.json");
        JSON.writeValue(p.toFile(), config);
        return p;
    }

    /** Writes {@code specs} as zero-filled F32 tensors in one safetensors file. */
    public static Path writeSafetensors(Path file, List<LlamaTensors.Spec> specs) throws IOException {
        StringBuilder h = new StringBuilder("{");
        long offset = 0;
        for (LlamaTensors.Spec s : specs) {
            long bytes = 4 * Arrays.stream(s.shape()).reduce(1, (a, b) -> a * b);
            if (h.length() > 1) {
                h.append(',');
            }
            h.append('"').append(s.name()).append("\":{\"dtype\":\"F32\",\"shape\":[")
                    .append(Arrays.stream(s.shape()).mapToObj(Long::toString).collect(Collectors.joining(",")))
                    .append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        h.append('}');
        return RawSafetensors.write(file, h.toString(), new byte[Math.toIntExact(offset)]);
    }

    /** A complete single-file checkpoint for {@code config}, with the tensors the config implies. */
    public static Path writeCheckpoint(Path dir, ObjectNode config) throws IOException {
        Path configFile = writeConfig(dir, config);
        writeSafetensors(dir.resolve("model.safetensors"), LlamaTensors.expected(LlamaConfigReader.read(configFile)));
        return dir;
    }
}
