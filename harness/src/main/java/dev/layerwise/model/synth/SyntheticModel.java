package dev.layerwise.model.synth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.io.Json;
import dev.layerwise.model.LlamaConfig;
import dev.layerwise.model.LlamaTensors;
import dev.layerwise.numeric.DType;
import java.util.List;

/** Everything that determines a synthetic checkpoint's bytes: preset name, dimensions, seed, storage dtype. */
public record SyntheticModel(Preset preset, Dimensions dimensions, long seed, DType dtype) {
    public static final String GENERATOR = "splitmix64-uniform-v1";

    public SyntheticModel {
        if (dtype == DType.FLOAT64) {
            throw new IllegalArgumentException("synthetic checkpoints are stored as f32, f16 or bf16");
        }
        dimensions.validate();
    }

    /** The preset's own dimensions. */
    public static SyntheticModel of(Preset preset, long seed, DType dtype) {
        return new SyntheticModel(preset, preset.dimensions(), seed, dtype);
    }

    /** The HF config.json of the checkpoint, in the field order of docs/synthetic-checkpoints.md. */
    public ObjectNode configJson() {
        Dimensions d = dimensions;
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_size", d.dims().hidden());
        c.put("intermediate_size", d.dims().intermediate());
        c.put("num_hidden_layers", d.dims().layers());
        c.put("num_attention_heads", d.dims().heads());
        c.put("num_key_value_heads", d.dims().kvHeads());
        c.put("head_dim", d.dims().headDim());
        c.put("vocab_size", d.dims().vocab());
        c.put("rms_norm_eps", d.rmsNormEps());
        c.put("rope_theta", d.ropeTheta());
        c.put("max_position_embeddings", d.maxPositionEmbeddings());
        c.put("hidden_act", "silu");
        c.put("attention_bias", false);
        c.put("mlp_bias", false);
        c.put("tie_word_embeddings", false);
        c.put("bos_token_id", 1);
        c.put("eos_token_id", 2);
        c.put("torch_dtype", dtype.traceName());
        ObjectNode s = c.putObject("synthetic");
        s.put("generator", GENERATOR);
        s.put("preset", preset.cliName());
        s.put("seed", seed);
        return c;
    }

    public LlamaConfig config() {
        Dimensions d = dimensions;
        return new LlamaConfig(d.dims(), d.rmsNormEps(), d.ropeTheta(), d.maxPositionEmbeddings(), dtype, false,
                configJson());
    }

    public List<LlamaTensors.Spec> tensors() {
        return LlamaTensors.expected(config());
    }

    public SyntheticWeights weights(LlamaTensors.Spec tensor) {
        return SyntheticWeights.of(seed, tensor.name(), tensor.shape());
    }
}
