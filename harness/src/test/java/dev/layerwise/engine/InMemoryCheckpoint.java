package dev.layerwise.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.model.Checkpoint;
import dev.layerwise.model.LlamaConfig;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import dev.layerwise.numeric.SplitMix64;
import dev.layerwise.trace.ModelDims;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A small seeded Llama checkpoint held in byte[]-backed segments, for engine tests. */
public final class InMemoryCheckpoint implements Checkpoint {
    private final LlamaConfig config;
    private final Map<String, Tensor> tensors;

    private InMemoryCheckpoint(LlamaConfig config, Map<String, Tensor> tensors) {
        this.config = config;
        this.tensors = tensors;
    }

    /** The dimensions of the test model: those of the synth preset "tiny" (head dim 16). */
    public static final ModelDims TINY = new ModelDims(64, 176, 2, 4, 2, 16, 512);

    public static InMemoryCheckpoint create(ModelDims d, DType dtype, long seed) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode raw = om.createObjectNode();
        raw.putArray("architectures").add("LlamaForCausalLM");
        raw.put("model_type", "llama");
        raw.put("hidden_size", d.hidden());
        raw.put("intermediate_size", d.intermediate());
        raw.put("num_hidden_layers", d.layers());
        raw.put("num_attention_heads", d.heads());
        raw.put("num_key_value_heads", d.kvHeads());
        raw.put("head_dim", d.headDim());
        raw.put("vocab_size", d.vocab());
        raw.put("hidden_act", "silu");
        raw.put("torch_dtype", dtype.traceName());
        LlamaConfig config = new LlamaConfig(d, 1e-5, 10000, 256, dtype, false, raw);
        Map<String, Tensor> t = new LinkedHashMap<>();
        int h = d.hidden();
        int hd = d.headDim();
        put(t, "model.embed_tokens.weight", dtype, seed, 0.5f, d.vocab(), h);
        for (int i = 0; i < d.layers(); i++) {
            String p = "model.layers." + i + ".";
            putNorm(t, p + "input_layernorm.weight", dtype, seed, h);
            put(t, p + "self_attn.q_proj.weight", dtype, seed, scale(h), d.heads() * hd, h);
            put(t, p + "self_attn.k_proj.weight", dtype, seed, scale(h), d.kvHeads() * hd, h);
            put(t, p + "self_attn.v_proj.weight", dtype, seed, scale(h), d.kvHeads() * hd, h);
            put(t, p + "self_attn.o_proj.weight", dtype, seed, scale(d.heads() * hd), h, d.heads() * hd);
            putNorm(t, p + "post_attention_layernorm.weight", dtype, seed, h);
            put(t, p + "mlp.gate_proj.weight", dtype, seed, scale(h), d.intermediate(), h);
            put(t, p + "mlp.up_proj.weight", dtype, seed, scale(h), d.intermediate(), h);
            put(t, p + "mlp.down_proj.weight", dtype, seed, scale(d.intermediate()), h, d.intermediate());
        }
        putNorm(t, "model.norm.weight", dtype, seed, h);
        put(t, "lm_head.weight", dtype, seed, scale(h), d.vocab(), h);
        return new InMemoryCheckpoint(config, t);
    }

    /** The same checkpoint with one tensor replaced (to build bad input). */
    public InMemoryCheckpoint with(Tensor replacement) {
        Map<String, Tensor> t = new LinkedHashMap<>(tensors);
        t.put(replacement.name(), replacement);
        return new InMemoryCheckpoint(config, t);
    }

    public InMemoryCheckpoint withConfig(LlamaConfig c) {
        return new InMemoryCheckpoint(c, tensors);
    }

    private static float scale(int in) {
        return (float) Math.sqrt(3.0 / in);
    }

    private static void putNorm(Map<String, Tensor> t, String name, DType dtype, long seed, int n) {
        float[] v = values(name, seed, n);
        for (int i = 0; i < n; i++) {
            v[i] = 1 + 0.25f * v[i];
        }
        t.put(name, tensor(name, dtype, v, n));
    }

    private static void put(Map<String, Tensor> t, String name, DType dtype, long seed, float s, long... shape) {
        int n = (int) (shape[0] * (shape.length > 1 ? shape[1] : 1));
        float[] v = values(name, seed, n);
        for (int i = 0; i < n; i++) {
            v[i] = s * v[i];
        }
        t.put(name, tensor(name, dtype, v, shape));
    }

    /** Uniform values in [-1, 1) from SplitMix64 keyed by name and seed. */
    private static float[] values(String name, long seed, int n) {
        long base = SplitMix64.mix64(seed ^ name.hashCode());
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            long bits = SplitMix64.mix64(base + (i + 1) * SplitMix64.GOLDEN);
            v[i] = (bits >>> 40) / (float) (1 << 23) - 1f;
        }
        return v;
    }

    /** A tensor over a byte[] segment holding {@code v} rounded to {@code dtype}. */
    public static Tensor tensor(String name, DType dtype, float[] v, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(v.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            switch (dtype) {
                case FLOAT32 -> b.putFloat(f);
                case FLOAT16 -> b.putShort(Float.floatToFloat16(f));
                case BFLOAT16 -> b.putShort(BFloat16.fromFloat(f));
                case FLOAT64 -> b.putDouble(f);
            }
        }
        return new Tensor(name, dtype, shape, MemorySegment.ofArray(b.array()));
    }

    @Override
    public Path directory() {
        return Path.of("in-memory");
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public Set<String> tensorNames() {
        return tensors.keySet();
    }

    @Override
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw LayerwiseException.badInput(directory().resolve("model.safetensors"), name, "tensor missing");
        }
        return t;
    }

    @Override
    public void close() {
    }
}
