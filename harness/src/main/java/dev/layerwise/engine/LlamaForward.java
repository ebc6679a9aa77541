package dev.layerwise.engine;

import static dev.layerwise.trace.StepKind.ATTN_CTX;
import static dev.layerwise.trace.StepKind.ATTN_NORM;
import static dev.layerwise.trace.StepKind.ATTN_OUT;
import static dev.layerwise.trace.StepKind.ATTN_PROBS;
import static dev.layerwise.trace.StepKind.EMBED;
import static dev.layerwise.trace.StepKind.FFN_NORM;
import static dev.layerwise.trace.StepKind.FFN_OUT;
import static dev.layerwise.trace.StepKind.FINAL_NORM;
import static dev.layerwise.trace.StepKind.GATE;
import static dev.layerwise.trace.StepKind.GATED;
import static dev.layerwise.trace.StepKind.K;
import static dev.layerwise.trace.StepKind.K_ROPE;
import static dev.layerwise.trace.StepKind.LOGITS;
import static dev.layerwise.trace.StepKind.OUT;
import static dev.layerwise.trace.StepKind.Q;
import static dev.layerwise.trace.StepKind.Q_ROPE;
import static dev.layerwise.trace.StepKind.RESID_MID;
import static dev.layerwise.trace.StepKind.SILU_GATE;
import static dev.layerwise.trace.StepKind.UP;
import static dev.layerwise.trace.StepKind.V;

import dev.layerwise.engine.fault.FaultPlan;
import dev.layerwise.engine.kernels.LinearVariant;
import dev.layerwise.engine.kernels.RopeTable;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.Shapes;
import dev.layerwise.trace.ModelDims;
import dev.layerwise.trace.StepKind;
import dev.layerwise.trace.TopLogit;
import java.util.List;

/**
 * A Llama forward pass over all T tokens at once (no KV cache), recording every canonical step. Written once for
 * both engines: the numbers come from {@link Arithmetic} (float32 rounded to the model dtype, or float64). Each step
 * names the line of Hugging Face's {@code modeling_llama.py} (eager attention) whose output it records.
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
    private final ModelDims dims;
    private final Arithmetic<B> kernels;
    private final StepRecorder recorder;
    private final FaultPlan faults;
    private final Progress progress;

    public LlamaForward(LlamaWeights weights, Arithmetic<B> kernels, StepRecorder recorder, FaultPlan faults,
            Progress progress) {
        this.weights = weights;
        this.dims = weights.dims();
        this.kernels = kernels;
        this.recorder = recorder;
        this.faults = faults;
        this.progress = progress;
    }

    /** Runs the model on {@code tokens} (already checked against the vocabulary). */
    public Result run(int[] tokens, int topK) {
        Pass pass = new Pass(tokens);
        B x = pass.embed();
        for (int i = 0; i < dims.layers(); i++) {
            x = pass.layer(i, x);
            progress.layerDone(i + 1, dims.layers());
        }
        B logits = pass.head(x);
        int t = tokens.length;
        return new Result(kernels.topK(logits, (t - 1) * dims.vocab(), dims.vocab(), topK));
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
            this.b = new ModelForwardBuffers<>(kernels, dims, t);
            this.rope = kernels.ropeTable(t + faults.maxPositionOffset(), dims.headDim(),
                    weights.config().ropeTheta());
            this.injector = new FaultInjector<>(faults, kernels, dims, t);
        }

        B embed() {
            // LlamaModel: inputs_embeds = self.embed_tokens(input_ids)
            step(EMBED, -1, b.embed, () -> kernels.embed(weights.embedding(), tokens, b.embed));
            return b.embed;
        }

        /** One decoder layer: x + attention(norm(x)), then + mlp(norm(...)). Returns the layer output. */
        B layer(int i, B x) {
            LlamaWeights.Layer w = weights.layer(i);
            int heads = dims.heads();
            int kvHeads = dims.kvHeads();
            int d = dims.headDim();

            // LlamaDecoderLayer: hidden_states = self.input_layernorm(hidden_states)
            norm(ATTN_NORM, i, x, w.inputNorm(), b.attnNorm);
            // LlamaAttention: query_states = self.q_proj(hidden_states).view(hidden_shape).transpose(1, 2), k, v alike
            linear(Q, i, w, b.attnNorm, b.q);
            // LlamaAttention: key_states = self.k_proj(hidden_states).view(hidden_shape).transpose(1, 2)
            linear(K, i, w, b.attnNorm, b.k);
            // LlamaAttention: value_states = self.v_proj(hidden_states).view(hidden_shape).transpose(1, 2)
            linear(V, i, w, b.attnNorm, b.v);
            // LlamaAttention: query_states, key_states = apply_rotary_pos_emb(query_states, key_states, cos, sin)
            step(Q_ROPE, i, b.qRope, () -> kernels.rope(b.q, t, heads, d, rope, injector.rope(Q_ROPE.stepName(i)), b.qRope));
            step(K_ROPE, i, b.kRope, () -> kernels.rope(b.k, t, kvHeads, d, rope, injector.rope(K_ROPE.stepName(i)), b.kRope));
            // eager_attention_forward: attn_weights = softmax(query @ key^T * scaling + causal_mask, dim=-1)
            step(ATTN_PROBS, i, b.probs, () -> kernels.attentionProbabilities(b.qRope, b.kRope, t, heads, kvHeads, d,
                    injector.attention(ATTN_PROBS.stepName(i)), b.probs));
            // eager_attention_forward: attn_output = torch.matmul(attn_weights, value_states)
            step(ATTN_CTX, i, b.ctx, () -> kernels.attentionContext(b.probs, b.v, t, heads, kvHeads, d,
                    injector.attention(ATTN_CTX.stepName(i)), b.ctx));
            // LlamaAttention: attn_output = self.o_proj(attn_output)
            linear(ATTN_OUT, i, w, b.ctx, b.attnOut);
            // LlamaDecoderLayer: hidden_states = residual + hidden_states
            residual(RESID_MID, i, x, b.attnOut, b.residMid);

            // LlamaDecoderLayer: hidden_states = self.post_attention_layernorm(hidden_states)
            norm(FFN_NORM, i, b.residMid, w.postAttentionNorm(), b.ffnNorm);
            // LlamaMLP: down_proj(act_fn(gate_proj(x)) * up_proj(x)), one step per operation
            linear(GATE, i, w, b.ffnNorm, b.gate); // self.gate_proj(x)
            linear(UP, i, w, b.ffnNorm, b.up); // self.up_proj(x)
            int ti = t * dims.intermediate();
            // self.act_fn(self.gate_proj(x)), act_fn = SiLU
            step(SILU_GATE, i, b.siluGate, () -> kernels.silu(b.gate, ti, b.siluGate));
            // self.act_fn(self.gate_proj(x)) * self.up_proj(x)
            step(GATED, i, b.gated, () -> kernels.multiply(b.siluGate, b.up, ti, b.gated));
            linear(FFN_OUT, i, w, b.gated, b.ffnOut); // self.down_proj(...)
            // LlamaDecoderLayer: hidden_states = residual + hidden_states
            residual(OUT, i, b.residMid, b.ffnOut, b.out);
            return b.out;
        }

        /** A linear step of layer i, with the weights the fault plan assigns it (its own unless swapped). */
        private void linear(StepKind kind, int i, LlamaWeights.Layer w, B in, B out) {
            var weight = w.linear(injector.weightsOf(kind.stepName(i)));
            LinearVariant variant = injector.linear(kind.stepName(i));
            step(kind, i, out, () -> kernels.linear(in, t, weight, variant, out));
        }

        /** An RMSNorm step over the hidden axis (its mean taken over H unless a fault says otherwise). */
        private void norm(StepKind kind, int i, B in, Tensor weight, B out) {
            int h = dims.hidden();
            int meanOver = injector.normMeanOver(kind.stepName(i), h);
            step(kind, i, out, () -> kernels.rmsNorm(in, t, h, meanOver, weight, eps, out));
        }

        /** {@code out = residual + branch}, or the branch alone when a fault drops the residual. */
        private void residual(StepKind kind, int i, B residual, B branch, B out) {
            String name = kind.stepName(i);
            int n = t * dims.hidden();
            step(kind, i, out, () -> {
                if (injector.dropsResidual(name)) {
                    kernels.copy(branch, out, n);
                } else {
                    kernels.add(residual, branch, n, out);
                }
            });
        }

        B head(B x) {
            // LlamaModel: hidden_states = self.norm(hidden_states)
            norm(FINAL_NORM, -1, x, weights.finalNorm(), b.finalNorm);
            // LlamaForCausalLM: logits = self.lm_head(hidden_states[:, slice_indices, :]), every position
            LinearVariant variant = injector.linear(LOGITS.stepName(-1));
            step(LOGITS, -1, b.logits, () -> kernels.linear(b.finalNorm, t, weights.lmHead(), variant, b.logits));
            return b.logits;
        }

        /** Runs one step's op (unless a fault skips it), applies its fault, records what flows onward. */
        private void step(StepKind kind, int layer, B out, Runnable op) {
            String name = kind.stepName(layer);
            long[] stepShape = dims.shapeOf(kind, t);
            int n = Shapes.intElementCount(stepShape);
            kernels.beginStep(name, out, n);
            if (!injector.skips(name)) {
                op.run();
            }
            injector.afterStep(name, out, n);
            kernels.record(recorder, name, stepShape, out, n);
        }
    }
}
