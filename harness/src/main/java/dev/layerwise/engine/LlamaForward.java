package dev.layerwise.engine;

import static dev.layerwise.trace.CanonicalSteps.EMBED;
import static dev.layerwise.trace.CanonicalSteps.FINAL_NORM;
import static dev.layerwise.trace.CanonicalSteps.LOGITS;
import static dev.layerwise.trace.CanonicalSteps.layerStep;

import dev.layerwise.engine.fault.FaultPlan;
import dev.layerwise.engine.kernels.RopeTable;
import dev.layerwise.trace.TopLogit;
import java.util.List;

/**
 * A Llama forward pass over all T tokens at once (no KV cache), recording every canonical step.
 * Written once for both engines: the numbers come from {@link Kernels} (float32 rounded to the model
 * dtype, or float64).
 */
public final class LlamaForward<B> {

    /** Progress callback, called after each decoder layer. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> {
        };

        void layerDone(int done, int total);
    }

    /** What a forward pass returns besides the recorded steps. */
    public record Result(List<TopLogit> topK) {
    }

    private final LlamaWeights weights;
    private final ModelShape shape;
    private final Kernels<B> kernels;
    private final StepRecorder recorder;
    private final FaultPlan faults;
    private final Progress progress;

    public LlamaForward(LlamaWeights weights, Kernels<B> kernels, StepRecorder recorder, FaultPlan faults,
            Progress progress) {
        this.weights = weights;
        this.shape = weights.shape();
        this.kernels = kernels;
        this.recorder = recorder;
        this.faults = faults;
        this.progress = progress;
    }

    /** Runs the model on {@code tokens} (already checked against the vocabulary). */
    public Result run(int[] tokens, int topK) {
        Pass pass = new Pass(tokens);
        B x = pass.embed();
        for (int i = 0; i < shape.layers(); i++) {
            x = pass.layer(i, x);
            progress.layerDone(i + 1, shape.layers());
        }
        B logits = pass.head(x);
        int t = tokens.length;
        return new Result(kernels.topK(logits, (t - 1) * shape.vocab(), shape.vocab(), topK));
    }

    /** The state of one pass: token count, buffers, RoPE table, fault injector. */
    private final class Pass {
        private final int[] tokens;
        private final int t;
        private final ModelForwardBuffers<B> b;
        private final RopeTable rope;
        private final FaultInjector<B> injector;
        private final double eps = weights.config().rmsNormEps();

        Pass(int[] tokens) {
            this.tokens = tokens;
            this.t = tokens.length;
            this.b = new ModelForwardBuffers<>(kernels, shape, t);
            this.rope = kernels.ropeTable(t, shape.headDim(), weights.config().ropeTheta());
            this.injector = new FaultInjector<>(faults, kernels, shape, t);
        }

        B embed() {
            step(EMBED, b.embed, () -> kernels.embed(weights.embedding(), tokens, b.embed));
            return b.embed;
        }

        /** One decoder layer: x + attention(norm(x)), then + mlp(norm(...)). Returns the layer output. */
        B layer(int i, B x) {
            LlamaWeights.Layer w = weights.layer(i);
            int h = shape.hidden();
            int th = t * h;
            int ti = t * shape.intermediate();
            int heads = shape.heads();
            int kvHeads = shape.kvHeads();
            int d = shape.headDim();

            step(layerStep(i, "attn_norm"), b.attnNorm, () -> kernels.rmsNorm(x, t, h, w.inputNorm(), eps, b.attnNorm));
            step(layerStep(i, "q"), b.q, () -> kernels.linear(b.attnNorm, t, w.q(), b.q));
            step(layerStep(i, "k"), b.k, () -> kernels.linear(b.attnNorm, t, w.k(), b.k));
            step(layerStep(i, "v"), b.v, () -> kernels.linear(b.attnNorm, t, w.v(), b.v));
            step(layerStep(i, "q_rope"), b.qRope, () -> kernels.rope(b.q, t, heads, d, rope, b.qRope));
            step(layerStep(i, "k_rope"), b.kRope, () -> kernels.rope(b.k, t, kvHeads, d, rope, b.kRope));
            step(layerStep(i, "attn_probs"), b.probs,
                    () -> kernels.attentionProbabilities(b.qRope, b.kRope, t, heads, kvHeads, d, b.probs));
            step(layerStep(i, "attn_ctx"), b.ctx,
                    () -> kernels.attentionContext(b.probs, b.v, t, heads, kvHeads, d, b.ctx));
            step(layerStep(i, "attn_out"), b.attnOut, () -> kernels.linear(b.ctx, t, w.o(), b.attnOut));
            step(layerStep(i, "resid_mid"), b.residMid, () -> kernels.add(x, b.attnOut, th, b.residMid));

            step(layerStep(i, "ffn_norm"), b.ffnNorm,
                    () -> kernels.rmsNorm(b.residMid, t, h, w.postAttentionNorm(), eps, b.ffnNorm));
            step(layerStep(i, "gate"), b.gate, () -> kernels.linear(b.ffnNorm, t, w.gate(), b.gate));
            step(layerStep(i, "up"), b.up, () -> kernels.linear(b.ffnNorm, t, w.up(), b.up));
            step(layerStep(i, "silu_gate"), b.siluGate, () -> kernels.silu(b.gate, ti, b.siluGate));
            step(layerStep(i, "gated"), b.gated, () -> kernels.multiply(b.siluGate, b.up, ti, b.gated));
            step(layerStep(i, "ffn_out"), b.ffnOut, () -> kernels.linear(b.gated, t, w.down(), b.ffnOut));
            step(layerStep(i, "out"), b.out, () -> kernels.add(b.residMid, b.ffnOut, th, b.out));
            return b.out;
        }

        /** Final norm and lm_head over every position. */
        B head(B x) {
            step(FINAL_NORM, b.finalNorm,
                    () -> kernels.rmsNorm(x, t, shape.hidden(), weights.finalNorm(), eps, b.finalNorm));
            step(LOGITS, b.logits, () -> kernels.linear(b.finalNorm, t, weights.lmHead(), b.logits));
            return b.logits;
        }

        /** Runs one step's op (unless a fault skips it), applies its fault, records what flows onward. */
        private void step(String name, B out, Runnable op) {
            long[] stepShape = shape.stepShape(name, t);
            int n = ModelForwardBuffers.elements(stepShape);
            if (!injector.skips(name)) {
                op.run();
            }
            injector.afterStep(name, out, n);
            kernels.record(recorder, name, stepShape, out, n);
        }
    }
}
