package dev.layerwise.compare;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Input;
import dev.layerwise.trace.ModelInfo;
import dev.layerwise.trace.Producer;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.TopLogit;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The two tables of the seed report (shared/seeds/000_*.txt) as sum-only traces: the Candle/Hugging Face reference
 * (4 sums, the logits of the last token only: a partial step) and the TensorLogic candidate (16 sums). One-layer
 * TinyLlama, float16, 38 tokens without BOS.
 */
final class SeedTraces {
    static final int T = 38;
    static final int H = 2048;
    static final int KV = 256;
    static final int I = 5632;
    static final int V = 32000;
    static final int[] TOKENS = {529, 29989, 5205, 29989, 29958, 13, 3492, 526, 263, 19780, 13563, 7451, 29889, 2,
        29871, 13, 29966, 29989, 1792, 29989, 29958, 13, 10994, 29991, 1128, 526, 366, 29973, 2, 29871, 13, 29966,
        29989, 465, 22137, 29989, 29958, 13};

    private SeedTraces() {
    }

    static Trace reference() {
        List<Step> steps = new ArrayList<>();
        steps.add(sum("embed", H, 3.660156));
        steps.add(sum("layers.0.out", H, 4.902344));
        steps.add(sum("final_norm", H, 774.0));
        steps.add(lastRowOnly("logits", V, -34784.0));
        return trace("candle", steps, new TopLogit(26012, 5.8203));
    }

    static Trace candidate() {
        List<Step> steps = new ArrayList<>();
        steps.add(sum("embed", H, 3.673828125));
        steps.add(sum("layers.0.attn_norm", H, 82.875));
        steps.add(sum("layers.0.q", H, 29.21875));
        steps.add(sum("layers.0.k", KV, -1040));
        steps.add(sum("layers.0.v", KV, 1.6875));
        steps.add(sum("layers.0.attn_out", H, 4.70703125));
        steps.add(sum("layers.0.resid_mid", H, 8.3515625));
        steps.add(sum("layers.0.ffn_norm", H, 59.125));
        steps.add(sum("layers.0.gate", I, -7884));
        steps.add(sum("layers.0.up", I, 330.5));
        steps.add(sum("layers.0.silu_gate", I, 0));
        steps.add(sum("layers.0.gated", I, 0));
        steps.add(sum("layers.0.ffn_out", H, 0));
        steps.add(sum("layers.0.out", H, 8.3515625));
        steps.add(sum("final_norm", H, 790));
        steps.add(sum("logits", V, Double.POSITIVE_INFINITY));
        return trace("tensorlogic", steps, new TopLogit(29414, 7.26));
    }

    static Step sum(String name, int width, double sum) {
        return new Step(name, new long[] {T, width}, DType.FLOAT16, Stats.sumOnly(sum), null, null, null, null);
    }

    /** A partial step (docs/trace-format.md): sum unknown (NaN, no counts), only the last row's sum known. */
    static Step lastRowOnly(String name, int width, double lastRowSum) {
        double[] rows = new double[T];
        Arrays.fill(rows, Double.NaN);
        rows[T - 1] = lastRowSum;
        return new Step(name, new long[] {T, width}, DType.FLOAT16, Stats.sumOnly(Double.NaN), rows, null, null, null);
    }

    static ObjectNode tinyLlamaOneLayer() {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("hidden_size", H);
        c.put("intermediate_size", I);
        c.put("num_hidden_layers", 1);
        c.put("num_attention_heads", 32);
        c.put("num_key_value_heads", 4);
        c.put("vocab_size", V);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        return c;
    }

    private static Trace trace(String producer, List<Step> steps, TopLogit top) {
        return new Trace(new Producer(producer, null, "metal", null, Map.of()),
                new ModelInfo("llama", tinyLlamaOneLayer(), "TinyLlama/TinyLlama-1.1B-Chat-v1.0 (1 layer)", null),
                DType.FLOAT16, new Input(TOKENS.clone(), null), null, steps, List.of(top), null);
    }
}
