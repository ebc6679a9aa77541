package dev.layerwise.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.LayerwiseException;
import dev.layerwise.io.JsonErrors;
import dev.layerwise.model.safetensors.SafetensorsFile;
import dev.layerwise.model.safetensors.TensorEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Hugging Face Llama checkpoint directory: {@code config.json} plus {@code model.safetensors} or
 * shards listed by {@code model.safetensors.index.json}. Opening validates the config, every file,
 * the index, and that each tensor the config implies exists with the right shape and a float dtype.
 * When {@code tie_word_embeddings} is true and {@code lm_head.weight} is absent, asking for it
 * returns the embedding matrix.
 */
public final class HfCheckpoint implements Checkpoint {
    public static final String CONFIG = "config.json";
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final Path directory;
    private final LlamaConfig config;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> fileOf;

    private HfCheckpoint(Path directory, LlamaConfig config, List<SafetensorsFile> files,
            Map<String, SafetensorsFile> fileOf) {
        this.directory = directory;
        this.config = config;
        this.files = List.copyOf(files);
        this.fileOf = Collections.unmodifiableMap(fileOf);
    }

    /**
     * Opens and validates {@code dir}.
     *
     * @throws LayerwiseException (exit 2) naming the file, tensor or field and the cause
     */
    public static HfCheckpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw LayerwiseException.badInput(dir, null, Files.exists(dir) ? "not a directory" : "no such directory");
        }
        LlamaConfig config = LlamaConfigReader.read(dir.resolve(CONFIG));
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            // Like transformers: a single model.safetensors wins over an index next to it.
            Map<String, SafetensorsFile> fileOf = !Files.exists(dir.resolve(SINGLE_FILE)) && Files.exists(dir.resolve(INDEX))
                    ? openSharded(dir, opened) : openSingle(dir, opened);
            HfCheckpoint c = new HfCheckpoint(dir, config, opened, fileOf);
            c.checkTensors();
            return c;
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, SafetensorsFile> openSingle(Path dir, List<SafetensorsFile> opened) {
        Path file = dir.resolve(SINGLE_FILE);
        if (!Files.exists(file)) {
            throw LayerwiseException.badInput(dir, null, "no " + SINGLE_FILE + " and no " + INDEX);
        }
        SafetensorsFile f = SafetensorsFile.open(file);
        opened.add(f);
        Map<String, SafetensorsFile> m = new LinkedHashMap<>();
        for (TensorEntry e : f.entries()) {
            m.put(e.name(), f);
        }
        return m;
    }

    private static Map<String, SafetensorsFile> openSharded(Path dir, List<SafetensorsFile> opened) {
        Path index = dir.resolve(INDEX);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(index));
        } catch (JacksonException e) {
            throw LayerwiseException.badInput(index, null, JsonErrors.describe(e), e);
        } catch (IOException e) {
            throw LayerwiseException.badInput(index, null, "cannot read: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw LayerwiseException.badInput(index, "weight_map", "missing or not an object of tensor name -> shard file");
        }
        Map<String, SafetensorsFile> shards = new TreeMap<>();
        Map<String, SafetensorsFile> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            String name = e.getKey();
            JsonNode shardNode = e.getValue();
            if (!shardNode.isTextual() || !isPlainFileName(shardNode.textValue())) {
                throw LayerwiseException.badInput(index, "weight_map." + name,
                        "must name a shard file in the same directory, found " + shardNode);
            }
            String shardName = shardNode.textValue();
            SafetensorsFile shard = shards.get(shardName);
            if (shard == null) {
                Path shardPath = dir.resolve(shardName);
                if (!Files.isRegularFile(shardPath)) {
                    throw LayerwiseException.badInput(index, "weight_map." + name,
                            "shard " + shardName + " does not exist in " + dir);
                }
                shard = SafetensorsFile.open(shardPath);
                opened.add(shard);
                shards.put(shardName, shard);
            }
            if (!shard.contains(name)) {
                throw LayerwiseException.badInput(index, "weight_map." + name,
                        "the index places it in " + shardName + ", but that shard has no such tensor");
            }
            m.put(name, shard);
        }
        return m;
    }

    private static boolean isPlainFileName(String s) {
        return !s.isEmpty() && !s.contains("/") && !s.contains("\\") && !s.equals(".") && !s.equals("..");
    }

    private void checkTensors() {
        for (LlamaTensors.Spec spec : LlamaTensors.expected(config)) {
            SafetensorsFile f = fileOf.get(spec.name());
            if (f == null) {
                if (spec.name().equals(LlamaTensors.LM_HEAD) && config.tieWordEmbeddings()) {
                    continue;
                }
                throw LayerwiseException.badInput(directory, "tensor " + spec.name(), "missing (config.json implies shape "
                        + Arrays.toString(spec.shape()) + ")");
            }
            TensorEntry e = f.entry(spec.name());
            if (!Arrays.equals(e.shape(), spec.shape())) {
                throw LayerwiseException.badInput(directory, "tensor " + spec.name(), "expected shape "
                        + Arrays.toString(spec.shape()) + ", found " + e.shapeString());
            }
            if (e.dtype().floatType() == null) {
                throw LayerwiseException.badInput(directory, "tensor " + spec.name(), "dtype " + e.dtype()
                        + " is not supported (supported: F32, F16, BF16)");
            }
        }
    }

    @Override
    public Path directory() {
        return directory;
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    /** The safetensors files of this checkpoint (one, or the shards in the order the index first names them). */
    public List<SafetensorsFile> files() {
        return files;
    }

    @Override
    public Set<String> tensorNames() {
        return fileOf.keySet();
    }

    /** The header entry of {@code name}, or null when absent. */
    public TensorEntry entry(String name) {
        SafetensorsFile f = fileOf.get(name);
        return f == null ? null : f.entry(name);
    }

    @Override
    public Tensor tensor(String name) {
        SafetensorsFile f = fileOf.get(name);
        if (f == null) {
            if (name.equals(LlamaTensors.LM_HEAD) && config.tieWordEmbeddings() && fileOf.containsKey(LlamaTensors.EMBED)) {
                return fileOf.get(LlamaTensors.EMBED).tensor(LlamaTensors.EMBED);
            }
            throw LayerwiseException.badInput(directory, "tensor " + name, "not in this checkpoint");
        }
        return f.tensor(name);
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
