package dev.layerwise.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.kernels.WeightMatrix;
import dev.layerwise.model.Checkpoint;
import dev.layerwise.model.LlamaConfig;
import dev.layerwise.model.Tensor;
import dev.layerwise.trace.ModelDims;
import dev.layerwise.trace.StepKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The weights of a Llama model, by role, viewed in place in a {@link Checkpoint} (nothing copied).
 * Construction checks the architecture and every tensor's shape against the config.
 */
public final class LlamaWeights {

    /** One decoder layer's weights. */
    public record Layer(Tensor inputNorm, WeightMatrix q, WeightMatrix k, WeightMatrix v, WeightMatrix o,
            Tensor postAttentionNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down) {

        /** The weight matrix that computes a linear step of the layer. */
        public WeightMatrix linear(StepKind kind) {
            return switch (kind) {
                case Q -> q;
                case K -> k;
                case V -> v;
                case ATTN_OUT -> o;
                case GATE -> gate;
                case UP -> up;
                case FFN_OUT -> down;
                default -> throw new IllegalArgumentException("no weights compute " + kind.id());
            };
        }
    }

    private final LlamaConfig config;
    private final ModelDims dims;
    private final WeightMatrix embedding;
    private final List<Layer> layers;
    private final Tensor finalNorm;
    private final WeightMatrix lmHead;

    private LlamaWeights(LlamaConfig config, ModelDims dims, WeightMatrix embedding, List<Layer> layers,
            Tensor finalNorm, WeightMatrix lmHead) {
        this.config = config;
        this.dims = dims;
        this.embedding = embedding;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    public static LlamaWeights of(Checkpoint checkpoint) {
        LlamaConfig c = checkpoint.config();
        Path configFile = checkpoint.directory().resolve("config.json");
        checkArchitecture(c, configFile);
        ModelDims s = c.dims();
        checkDimensions(s, configFile);
        Path weightsFile = checkpoint.directory().resolve("model.safetensors");
        Shapes shapes = new Shapes(checkpoint, weightsFile);
        int h = s.hidden();
        WeightMatrix embedding = shapes.matrix("model.embed_tokens.weight", s.vocab(), h);
        List<Layer> layers = new ArrayList<>(s.layers());
        for (int i = 0; i < s.layers(); i++) {
            String p = "model.layers." + i + ".";
            layers.add(new Layer(
                    shapes.vector(p + "input_layernorm.weight", h),
                    shapes.matrix(p + "self_attn.q_proj.weight", s.qWidth(), h),
                    shapes.matrix(p + "self_attn.k_proj.weight", s.kvWidth(), h),
                    shapes.matrix(p + "self_attn.v_proj.weight", s.kvWidth(), h),
                    shapes.matrix(p + "self_attn.o_proj.weight", h, s.qWidth()),
                    shapes.vector(p + "post_attention_layernorm.weight", h),
                    shapes.matrix(p + "mlp.gate_proj.weight", s.intermediate(), h),
                    shapes.matrix(p + "mlp.up_proj.weight", s.intermediate(), h),
                    shapes.matrix(p + "mlp.down_proj.weight", h, s.intermediate())));
        }
        Tensor finalNorm = shapes.vector("model.norm.weight", h);
        WeightMatrix lmHead = c.tieWordEmbeddings() && !checkpoint.tensorNames().contains("lm_head.weight")
                ? embedding
                : shapes.matrix("lm_head.weight", s.vocab(), h);
        return new LlamaWeights(c, s, embedding, List.copyOf(layers), finalNorm, lmHead);
    }

    private static void checkArchitecture(LlamaConfig c, Path configFile) {
        JsonNode raw = c.raw();
        if (raw != null) {
            String modelType = raw.path("model_type").asText("llama");
            if (!modelType.equals("llama")) {
                throw LayerwiseException.badInput(configFile, "model_type",
                        "unsupported architecture '" + modelType + "' (this engine runs Llama models)");
            }
            JsonNode archs = raw.path("architectures");
            if (archs.isArray() && !archs.isEmpty() && !archs.get(0).asText().equals("LlamaForCausalLM")) {
                throw LayerwiseException.badInput(configFile, "architectures",
                        "unsupported architecture '" + archs.get(0).asText() + "' (expected LlamaForCausalLM)");
            }
            String act = raw.path("hidden_act").asText("silu");
            if (!act.equals("silu")) {
                throw LayerwiseException.badInput(configFile, "hidden_act", "unsupported activation '" + act
                        + "' (expected silu)");
            }
            for (String bias : List.of("attention_bias", "mlp_bias")) {
                if (raw.path(bias).asBoolean(false)) {
                    throw LayerwiseException.badInput(configFile, bias, "biases are not supported (expected false)");
                }
            }
            if (raw.hasNonNull("rope_scaling") && !raw.get("rope_scaling").isEmpty()) {
                throw LayerwiseException.badInput(configFile, "rope_scaling", "RoPE scaling is not supported");
            }
        }
    }

    private static void checkDimensions(ModelDims s, Path configFile) {
        positive(configFile, "hidden_size", s.hidden());
        positive(configFile, "intermediate_size", s.intermediate());
        positive(configFile, "num_hidden_layers", s.layers());
        positive(configFile, "num_attention_heads", s.heads());
        positive(configFile, "num_key_value_heads", s.kvHeads());
        positive(configFile, "vocab_size", s.vocab());
        if (s.heads() % s.kvHeads() != 0) {
            throw LayerwiseException.badInput(configFile, "num_key_value_heads", s.kvHeads()
                    + " does not divide num_attention_heads " + s.heads());
        }
        if (s.headDim() <= 0 || s.headDim() % 2 != 0) {
            throw LayerwiseException.badInput(configFile, "head_dim", "must be a positive even number, got "
                    + s.headDim());
        }
    }

    private static void positive(Path file, String field, int value) {
        if (value <= 0) {
            throw LayerwiseException.badInput(file, field, "must be positive, got " + value);
        }
    }

    /** Looks tensors up and checks their shapes. */
    private record Shapes(Checkpoint checkpoint, Path file) {
        WeightMatrix matrix(String name, int rows, int cols) {
            return new WeightMatrix(checked(name, rows, cols));
        }

        Tensor vector(String name, int length) {
            return checked(name, length);
        }

        private Tensor checked(String name, long... expected) {
            Tensor t = checkpoint.tensor(name);
            if (!Arrays.equals(t.shape(), expected)) {
                throw LayerwiseException.badInput(file, name, "shape " + t.shapeString()
                        + " does not match config.json (expected " + Arrays.toString(expected) + ")");
            }
            return t;
        }
    }

    public LlamaConfig config() {
        return config;
    }

    public ModelDims dims() {
        return dims;
    }

    public WeightMatrix embedding() {
        return embedding;
    }

    public Layer layer(int i) {
        return layers.get(i);
    }

    public Tensor finalNorm() {
        return finalNorm;
    }

    public WeightMatrix lmHead() {
        return lmHead;
    }
}
