package dev.layerwise.engine;

import static dev.layerwise.trace.CanonicalSteps.EMBED;
import static dev.layerwise.trace.CanonicalSteps.FINAL_NORM;
import static dev.layerwise.trace.CanonicalSteps.LOGITS;
import static dev.layerwise.trace.CanonicalSteps.layerStep;

import dev.layerwise.engine.fault.FaultPlan;
import dev.layerwise.engine.kernels.RopeTable;
import dev.layerwise.engine.kernels.WeightMatrix;
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
            this.rope = kernels.ropeTable(t + faults.maxPositionOffset(), shape.headDim(),
                    weights.config().ropeTheta());
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
            projection(i, "q", w, b.attnNorm, b.q);
            projection(i, "k", w, b.attnNorm, b.k);
            projection(i, "v", w, b.attnNorm, b.v);
            String qRope = layerStep(i, "q_rope");
            String kRope = layerStep(i, "k_rope");
            step(qRope, b.qRope, () -> kernels.rope(b.q, t, heads, d, rope, injector.rope(qRope), b.qRope));
            step(kRope, b.kRope, () -> kernels.rope(b.k, t, kvHeads, d, rope, injector.rope(kRope), b.kRope));
            String probs = layerStep(i, "attn_probs");
            String ctx = layerStep(i, "attn_ctx");
            step(probs, b.probs, () -> kernels.attentionProbabilities(b.qRope, b.kRope, t, heads, kvHeads, d,
                    injector.attention(probs), b.probs));
            step(ctx, b.ctx, () -> kernels.attentionContext(b.probs, b.v, t, heads, kvHeads, d,
                    injector.attention(ctx), b.ctx));
            step(layerStep(i, "attn_out"), b.attnOut, () -> kernels.linear(b.ctx, t, w.o(), b.attnOut));
            residual(layerStep(i, "resid_mid"), x, b.attnOut, th, b.residMid);

            step(layerStep(i, "ffn_norm"), b.ffnNorm,
                    () -> kernels.rmsNorm(b.residMid, t, h, w.postAttentionNorm(), eps, b.ffnNorm));
            projection(i, "gate", w, b.ffnNorm, b.gate);
            projection(i, "up", w, b.ffnNorm, b.up);
            step(layerStep(i, "silu_gate"), b.siluGate, () -> kernels.silu(b.gate, ti, b.siluGate));
            step(layerStep(i, "gated"), b.gated, () -> kernels.multiply(b.siluGate, b.up, ti, b.gated));
            step(layerStep(i, "ffn_out"), b.ffnOut, () -> kernels.linear(b.gated, t, w.down(), b.ffnOut));
            residual(layerStep(i, "out"), b.residMid, b.ffnOut, th, b.out);
            return b.out;
        }

        /** A q/k/v/gate/up projection of layer i, with the weights the fault plan assigns it. */
        private void projection(int i, String kind, LlamaWeights.Layer w, B in, B out) {
            String name = layerStep(i, kind);
            WeightMatrix weight = switch (injector.weightsOf(name)) {
                case "q" -> w.q();
                case "k" -> w.k();
                case "v" -> w.v();
                case "gate" -> w.gate();
                case "up" -> w.up();
                default -> throw new IllegalStateException("not a projection: " + name);
            };
            step(name, out, () -> kernels.linear(in, t, weight, out));
        }

        /** {@code out = residual + branch}, or the branch alone when a fault drops the residual. */
        private void residual(String name, B residual, B branch, int n, B out) {
            step(name, out, () -> {
                if (injector.dropsResidual(name)) {
                    kernels.copy(branch, out, n);
                } else {
                    kernels.add(residual, branch, n, out);
                }
            });
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
            kernels.beginStep(name, out, n);
            if (!injector.skips(name)) {
                op.run();
            }
            injector.afterStep(name, out, n);
            kernels.record(recorder, name, stepShape, out, n);
        }
    }
}
