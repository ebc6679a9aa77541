package dev.layerwise.model;

import java.util.ArrayList;
import java.util.List;

/** The HF tensor names and shapes a {@link LlamaConfig} implies (docs/synthetic-checkpoints.md). */
public final class LlamaTensors {
    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private LlamaTensors() {
    }

    /** A tensor name with its expected shape. */
    public record Spec(String name, long[] shape) {
        public Spec {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** The number of input features of a weight matrix (its second dimension). */
        public long inFeatures() {
            return shape[shape.length - 1];
        }
    }

    public static String layer(int i, String suffix) {
        return "model.layers." + i + "." + suffix;
    }

    /** Every tensor of the model in HF module order, lm_head included. */
    public static List<Spec> expected(LlamaConfig c) {
        long h = c.dims().hidden();
        long q = (long) c.dims().heads() * c.dims().headDim();
        long kv = (long) c.dims().kvHeads() * c.dims().headDim();
        long inter = c.dims().intermediate();
        List<Spec> out = new ArrayList<>();
        out.add(new Spec(EMBED, new long[] {c.dims().vocab(), h}));
        for (int i = 0; i < c.dims().layers(); i++) {
            out.add(new Spec(layer(i, "input_layernorm.weight"), new long[] {h}));
            out.add(new Spec(layer(i, "self_attn.q_proj.weight"), new long[] {q, h}));
            out.add(new Spec(layer(i, "self_attn.k_proj.weight"), new long[] {kv, h}));
            out.add(new Spec(layer(i, "self_attn.v_proj.weight"), new long[] {kv, h}));
            out.add(new Spec(layer(i, "self_attn.o_proj.weight"), new long[] {h, q}));
            out.add(new Spec(layer(i, "post_attention_layernorm.weight"), new long[] {h}));
            out.add(new Spec(layer(i, "mlp.gate_proj.weight"), new long[] {inter, h}));
            out.add(new Spec(layer(i, "mlp.up_proj.weight"), new long[] {inter, h}));
            out.add(new Spec(layer(i, "mlp.down_proj.weight"), new long[] {h, inter}));
        }
        out.add(new Spec(FINAL_NORM, new long[] {h}));
        out.add(new Spec(LM_HEAD, new long[] {c.dims().vocab(), h}));
        return out;
    }
}
