package dev.layerwise.compare;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Input;
import dev.layerwise.trace.ModelInfo;
import dev.layerwise.trace.Producer;
import dev.layerwise.trace.SketchSpec;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepAccumulator;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TopK;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A tiny Llama forward pass (T=6, H=16, 2 heads, 1 KV head, D=8, I=32, V=40, 2 layers) with seeded random weights,
 * computed in float64 and rounded to the run's dtype after every operation like a real engine, every canonical step
 * recorded with {@link StepAccumulator}. Faults can be injected into layer {@link #FAULT_LAYER} to produce the
 * candidates the diagnosers must recognise.
 */
final class ToyLlama {
    static final int T = 6;
    static final int H = 16;
    static final int NH = 2;
    static final int NKV = 1;
    static final int D = 8;
    static final int I = 32;
    static final int V = 40;
    static final int L = 2;
    static final int FAULT_LAYER = 0;
    static final int[] TOKENS = {1, 5, 9, 3, 7, 2};

    enum Fault {
        NONE, SILU_ZERO, NO_CAUSAL_MASK, MASK_DIAGONAL, ROPE_THETA, HEAD_ORDER, EMBED_SCALED, GATE_UP_SWAPPED,
        FFN_OUT_STALE,
        /** resid_mid = attn_out: the residual add dropped. */
        NO_RESIDUAL,
        /** scores not multiplied by D^-0.5. */
        NO_ATTENTION_SCALE,
        /** logits scaled so that the largest |logit| is 70000: beyond float16's 65504. */
        HUGE_LOGITS
    }

    private final double[][] embed = new double[V][H];
    private final double[][][] wq = new double[L][][];
    private final double[][][] wk = new double[L][][];
    private final double[][][] wv = new double[L][][];
    private final double[][][] wo = new double[L][][];
    private final double[][][] wg = new double[L][][];
    private final double[][][] wu = new double[L][][];
    private final double[][][] wd = new double[L][][];
    private final double[][] attnNormW = new double[L][];
    private final double[][] ffnNormW = new double[L][];
    private final double[] finalNormW;
    private final double[][] lmHead;

    private DType dtype;
    private Fault fault;
    private boolean reverseAccumulation;
    private Set<String> omit = Set.of();
    private StepAccumulator acc;
    private List<Step> steps;

    ToyLlama(long seed) {
        Random r = new Random(seed);
        fill(embed, r, 1);
        for (int l = 0; l < L; l++) {
            wq[l] = matrix(NH * D, H, r);
            wk[l] = matrix(NKV * D, H, r);
            wv[l] = matrix(NKV * D, H, r);
            wo[l] = matrix(H, NH * D, r);
            wg[l] = matrix(I, H, r);
            wu[l] = matrix(I, H, r);
            wd[l] = matrix(H, I, r);
            attnNormW[l] = normWeight(r);
            ffnNormW[l] = normWeight(r);
        }
        finalNormW = normWeight(r);
        lmHead = matrix(V, H, r);
    }

    static ToyLlama create() {
        return new ToyLlama(42);
    }

    /** A clean run in {@code dtype}. */
    Trace run(DType d) {
        return run(d, Fault.NONE);
    }

    Trace run(DType d, Fault f) {
        return run(d, f, false);
    }

    /** @param reverse accumulate dot products in float32 in reverse order (a second, equally valid engine) */
    Trace run(DType d, Fault f, boolean reverse) {
        this.dtype = d;
        this.fault = f;
        this.reverseAccumulation = reverse;
        this.acc = new StepAccumulator(SketchSpec.DEFAULT);
        this.steps = new ArrayList<>();
        forward();
        return new Trace(new Producer("toy-llama", "1", "cpu", "eager", Map.of("fault", f.name())),
                new ModelInfo("llama", config(), "toy:seed=42", null), d, new Input(TOKENS.clone(), null),
                SketchSpec.DEFAULT, steps, topK, null);
    }

    /** Like {@link #run(DType, Fault)} without recording the named steps. */
    Trace runOmitting(DType d, Fault f, Set<String> names) {
        omit = names;
        try {
            return run(d, f);
        } finally {
            omit = Set.of();
        }
    }

    static ObjectNode config() {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("hidden_size", H);
        c.put("intermediate_size", I);
        c.put("num_hidden_layers", L);
        c.put("num_attention_heads", NH);
        c.put("num_key_value_heads", NKV);
        c.put("head_dim", D);
        c.put("vocab_size", V);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        return c;
    }

    // --- the forward pass -------------------------------------------------------------------------

    private List<dev.layerwise.trace.TopLogit> topK;

    private void forward() {
        double[][] x = new double[T][];
        for (int t = 0; t < T; t++) {
            x[t] = round(embed[TOKENS[t]].clone());
            if (fault == Fault.EMBED_SCALED) {
                for (int i = 0; i < H; i++) {
                    x[t][i] = round(x[t][i] * 4);
                }
            }
        }
        record("embed", x);
        for (int l = 0; l < L; l++) {
            boolean faulty = l == FAULT_LAYER;
            String p = "layers." + l + ".";
            double[][] an = rmsNorm(x, attnNormW[l]);
            record(p + "attn_norm", an);
            double[][] q = matmul(an, wq[l]);
            double[][] k = matmul(an, wk[l]);
            double[][] v = matmul(an, wv[l]);
            record(p + "q", q);
            record(p + "k", k);
            record(p + "v", v);
            double theta = faulty && fault == Fault.ROPE_THETA ? 100.0 : 10000.0;
            double[][] qr = rope(q, NH, theta);
            double[][] kr = rope(k, NKV, theta);
            record(p + "q_rope", qr);
            record(p + "k_rope", kr);
            double[][][] probs = attention(qr, kr, faulty);
            record(p + "attn_probs", probs);
            double[][] ctx = new double[T][NH * D];
            for (int h = 0; h < NH; h++) {
                int kv = h / (NH / NKV);
                int dst = faulty && fault == Fault.HEAD_ORDER ? NH - 1 - h : h;
                for (int t = 0; t < T; t++) {
                    for (int d = 0; d < D; d++) {
                        double s = 0;
                        for (int u = 0; u < T; u++) {
                            s += probs[h][t][u] * v[u][kv * D + d];
                        }
                        ctx[t][dst * D + d] = round(s);
                    }
                }
            }
            record(p + "attn_ctx", ctx);
            double[][] attnOut = matmul(ctx, wo[l]);
            record(p + "attn_out", attnOut);
            double[][] mid = faulty && fault == Fault.NO_RESIDUAL ? copy(attnOut) : add(x, attnOut);
            record(p + "resid_mid", mid);
            double[][] fn = rmsNorm(mid, ffnNormW[l]);
            record(p + "ffn_norm", fn);
            boolean swap = faulty && fault == Fault.GATE_UP_SWAPPED;
            double[][] gate = matmul(fn, swap ? wu[l] : wg[l]);
            double[][] up = matmul(fn, swap ? wg[l] : wu[l]);
            record(p + "gate", gate);
            record(p + "up", up);
            double[][] silu = new double[T][I];
            for (int t = 0; t < T; t++) {
                for (int i = 0; i < I; i++) {
                    double g = gate[t][i];
                    silu[t][i] = faulty && fault == Fault.SILU_ZERO ? 0 : round(g / (1 + Math.exp(-g)));
                }
            }
            record(p + "silu_gate", silu);
            double[][] gated = new double[T][I];
            for (int t = 0; t < T; t++) {
                for (int i = 0; i < I; i++) {
                    gated[t][i] = round(silu[t][i] * up[t][i]);
                }
            }
            record(p + "gated", gated);
            double[][] ffnOut = faulty && fault == Fault.FFN_OUT_STALE ? copy(attnOut) : matmul(gated, wd[l]);
            record(p + "ffn_out", ffnOut);
            x = add(mid, ffnOut);
            record(p + "out", x);
        }
        double[][] fin = rmsNorm(x, finalNormW);
        record("final_norm", fin);
        double[][] logits = matmul(fin, lmHead);
        if (fault == Fault.HUGE_LOGITS) {
            double max = 0;
            for (double[] row : logits) {
                for (double v : row) {
                    max = Math.max(max, Math.abs(v));
                }
            }
            double scale = 7e4 / max;
            for (double[] row : logits) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = round(row[i] * scale);
                }
            }
        }
        record("logits", logits);
        float[] last = new float[V];
        for (int i = 0; i < V; i++) {
            last[i] = (float) logits[T - 1][i];
        }
        topK = TopK.of(last, 0, V, 5);
    }

    private double[][][] attention(double[][] qr, double[][] kr, boolean faulty) {
        double[][][] probs = new double[NH][T][T];
        double scale = faulty && fault == Fault.NO_ATTENTION_SCALE ? 1 : 1 / Math.sqrt(D);
        for (int h = 0; h < NH; h++) {
            int kv = h / (NH / NKV);
            for (int t = 0; t < T; t++) {
                double[] s = new double[T];
                double max = Double.NEGATIVE_INFINITY;
                for (int u = 0; u < T; u++) {
                    boolean masked = u > t;
                    if (faulty && fault == Fault.NO_CAUSAL_MASK) {
                        masked = false;
                    } else if (faulty && fault == Fault.MASK_DIAGONAL) {
                        masked = u >= t;
                    }
                    if (masked) {
                        s[u] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double dot = 0;
                    for (int d = 0; d < D; d++) {
                        dot += qr[t][h * D + d] * kr[u][kv * D + d];
                    }
                    s[u] = round(round(dot) * scale);
                    max = Math.max(max, s[u]);
                }
                double sum = 0;
                for (int u = 0; u < T; u++) {
                    s[u] = Math.exp(s[u] - max); // all masked: -inf - -inf = NaN, as a real kernel would produce
                    sum += s[u];
                }
                for (int u = 0; u < T; u++) {
                    probs[h][t][u] = round(s[u] / sum);
                }
            }
        }
        return probs;
    }

    private double[][] rope(double[][] x, int heads, double theta) {
        double[][] out = new double[T][heads * D];
        int half = D / 2;
        for (int t = 0; t < T; t++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < half; i++) {
                    double freq = Math.pow(theta, -2.0 * i / D);
                    double cos = round(Math.cos(t * freq));
                    double sin = round(Math.sin(t * freq));
                    double a = x[t][h * D + i];
                    double b = x[t][h * D + i + half];
                    out[t][h * D + i] = round(round(a * cos) - round(b * sin));
                    out[t][h * D + i + half] = round(round(b * cos) + round(a * sin));
                }
            }
        }
        return out;
    }

    private double[][] rmsNorm(double[][] x, double[] w) {
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double v : x[t]) {
                ss += v * v;
            }
            double inv = 1 / Math.sqrt(ss / x[t].length + 1e-5);
            out[t] = new double[x[t].length];
            for (int i = 0; i < x[t].length; i++) {
                out[t][i] = round(w[i] * round(x[t][i] * inv));
            }
        }
        return out;
    }

    private double[][] matmul(double[][] x, double[][] w) {
        double[][] y = new double[x.length][w.length];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < w.length; o++) {
                if (reverseAccumulation && dtype != DType.FLOAT64) {
                    float s = 0;
                    for (int i = w[o].length - 1; i >= 0; i--) {
                        s += (float) x[t][i] * (float) w[o][i];
                    }
                    y[t][o] = round(s);
                } else {
                    double s = 0;
                    for (int i = 0; i < w[o].length; i++) {
                        s += x[t][i] * w[o][i];
                    }
                    y[t][o] = round(s);
                }
            }
        }
        return y;
    }

    private double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < a[0].length; i++) {
                y[t][i] = round(a[t][i] + b[t][i]);
            }
        }
        return y;
    }

    private double round(double v) {
        return dtype == DType.FLOAT64 ? v : dtype.round((float) v);
    }

    private double[] round(double[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = round(v[i]);
        }
        return v;
    }

    private void record(String name, double[][] m) {
        if (omit.contains(name)) {
            return;
        }
        acc.begin(name, new long[] {m.length, m[0].length}, dtype);
        for (double[] row : m) {
            add(row);
        }
        steps.add(acc.finish());
    }

    private void record(String name, double[][][] m) {
        if (omit.contains(name)) {
            return;
        }
        acc.begin(name, new long[] {m.length, m[0].length, m[0][0].length}, dtype);
        for (double[][] a : m) {
            for (double[] row : a) {
                add(row);
            }
        }
        steps.add(acc.finish());
    }

    private void add(double[] row) {
        if (dtype == DType.FLOAT64) {
            acc.add(row);
        } else {
            float[] f = new float[row.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) row[i];
            }
            acc.add(f);
        }
    }

    private static double[][] copy(double[][] m) {
        double[][] c = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            c[i] = m[i].clone();
        }
        return c;
    }

    private static double[][] matrix(int rows, int cols, Random r) {
        double[][] m = new double[rows][cols];
        fill(m, r, 1 / Math.sqrt(cols));
        return m;
    }

    private static void fill(double[][] m, Random r, double scale) {
        for (double[] row : m) {
            for (int i = 0; i < row.length; i++) {
                row[i] = r.nextGaussian() * scale;
            }
        }
    }

    private static double[] normWeight(Random r) {
        double[] w = new double[H];
        for (int i = 0; i < H; i++) {
            w[i] = 1 + 0.1 * r.nextGaussian();
        }
        return w;
    }
}
