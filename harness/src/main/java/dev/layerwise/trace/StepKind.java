package dev.layerwise.trace;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The step vocabulary of trace-format-v1, in one place: each canonical step's name, execution order (the
 * declaration order), scope (once per model or once per layer), shape, reduction length, the operation that
 * computes it and the steps it is computed from. Everything else derives from here: {@link CanonicalSteps}'
 * names, shapes ({@link ModelDims#shapeOf}), tolerances' reduction lengths, the canonical order, the data-flow
 * graph the diagnoses walk, which faults apply to a step, and which projections may swap weights.
 *
 * <p>Adding a step (e.g. Qwen's per-head {@code q_norm} after {@code q}) is one constant here plus the code that
 * computes it in the engine: {@code Q_NORM("q_norm", Scope.LAYER, Width.Q, Reduction.HIDDEN, Op.RMS_NORM, "q")}
 * with {@code q_rope} then reading {@code "q_norm"}.
 */
public enum StepKind {
    EMBED("embed", Scope.MODEL, Width.HIDDEN, Reduction.ONE, Op.EMBEDDING),
    ATTN_NORM("attn_norm", Scope.LAYER, Width.HIDDEN, Reduction.HIDDEN, Op.RMS_NORM, StepKind.STREAM),
    Q("q", Scope.LAYER, Width.Q, Reduction.HIDDEN, Op.LINEAR, "attn_norm"),
    K("k", Scope.LAYER, Width.KV, Reduction.HIDDEN, Op.LINEAR, "attn_norm"),
    V("v", Scope.LAYER, Width.KV, Reduction.HIDDEN, Op.LINEAR, "attn_norm"),
    Q_ROPE("q_rope", Scope.LAYER, Width.Q, Reduction.HIDDEN, Op.ROPE, "q"),
    K_ROPE("k_rope", Scope.LAYER, Width.KV, Reduction.HIDDEN, Op.ROPE, "k"),
    ATTN_PROBS("attn_probs", Scope.LAYER, Width.PROBS, Reduction.HEAD_DIM, Op.ATTENTION_PROBS,
            "q_rope", "k_rope"),
    ATTN_CTX("attn_ctx", Scope.LAYER, Width.Q, Reduction.TOKENS, Op.ATTENTION_CONTEXT,
            "attn_probs", "v"),
    ATTN_OUT("attn_out", Scope.LAYER, Width.HIDDEN, Reduction.HIDDEN, Op.LINEAR, "attn_ctx"),
    RESID_MID("resid_mid", Scope.LAYER, Width.HIDDEN, Reduction.HIDDEN, Op.RESIDUAL_ADD, StepKind.STREAM, "attn_out"),
    FFN_NORM("ffn_norm", Scope.LAYER, Width.HIDDEN, Reduction.HIDDEN, Op.RMS_NORM, "resid_mid"),
    GATE("gate", Scope.LAYER, Width.INTERMEDIATE, Reduction.HIDDEN, Op.LINEAR, "ffn_norm"),
    UP("up", Scope.LAYER, Width.INTERMEDIATE, Reduction.HIDDEN, Op.LINEAR, "ffn_norm"),
    SILU_GATE("silu_gate", Scope.LAYER, Width.INTERMEDIATE, Reduction.HIDDEN, Op.SILU, "gate"),
    GATED("gated", Scope.LAYER, Width.INTERMEDIATE, Reduction.HIDDEN, Op.MULTIPLY, "silu_gate", "up"),
    FFN_OUT("ffn_out", Scope.LAYER, Width.HIDDEN, Reduction.INTERMEDIATE, Op.LINEAR, "gated"),
    OUT("out", Scope.LAYER, Width.HIDDEN, Reduction.INTERMEDIATE, Op.RESIDUAL_ADD, "resid_mid", "ffn_out"),
    FINAL_NORM("final_norm", Scope.MODEL, Width.HIDDEN, Reduction.HIDDEN, Op.RMS_NORM, StepKind.STREAM),
    LOGITS("logits", Scope.MODEL, Width.VOCAB, Reduction.HIDDEN, Op.LINEAR, "final_norm");

    /**
     * The input name for "the residual stream entering this step": the previous layer's {@code out} (or
     * {@code embed}) inside layer i, the last layer's {@code out} for {@code final_norm}.
     */
    public static final String STREAM = "<residual stream>";

    /** Whether a step occurs once per model or once per decoder layer ({@code layers.N.NAME}). */
    public enum Scope { MODEL, LAYER }

    /** The last axis of a step's [T, width] shape; {@link #PROBS} is [heads, T, T]. */
    public enum Width { HIDDEN, Q, KV, INTERMEDIATE, VOCAB, PROBS }

    /** The length of the longest reduction (dot product, norm) that produced a value, which sets tolerances. */
    public enum Reduction { ONE, HIDDEN, INTERMEDIATE, HEAD_DIM, TOKENS }

    /** The operation that computes a step, which decides the faults that change how it is computed. */
    public enum Op { EMBEDDING, RMS_NORM, LINEAR, ROPE, ATTENTION_PROBS, ATTENTION_CONTEXT, RESIDUAL_ADD, SILU, MULTIPLY }

    private static final List<StepKind> LAYER_KINDS =
            Arrays.stream(values()).filter(k -> k.scope == Scope.LAYER).toList();

    private final String id;
    private final Scope scope;
    private final Width width;
    private final Reduction reduction;
    private final Op op;
    private final List<String> inputs;

    StepKind(String id, Scope scope, Width width, Reduction reduction, Op op, String... inputs) {
        this.id = id;
        this.scope = scope;
        this.width = width;
        this.reduction = reduction;
        this.op = op;
        this.inputs = List.of(inputs);
    }

    /** The name in traces: the whole step name for model steps, the suffix after {@code layers.N.} otherwise. */
    public String id() {
        return id;
    }

    public Scope scope() {
        return scope;
    }

    public boolean perLayer() {
        return scope == Scope.LAYER;
    }

    public Width width() {
        return width;
    }

    public Reduction reduction() {
        return reduction;
    }

    public Op op() {
        return op;
    }

    /** The ids of the kinds this step is computed from, or {@link #STREAM}, residual first for a residual add. */
    public List<String> inputs() {
        return inputs;
    }

    /** For a residual add, the branch it adds to the stream ({@code attn_out}, {@code ffn_out}); else empty. */
    public Optional<StepKind> branch() {
        return op == Op.RESIDUAL_ADD ? Optional.of(byId(inputs.get(1)).orElseThrow()) : Optional.empty();
    }

    /**
     * Two distinct linear steps that read the same input and write the same width (q/k/v reading attn_norm,
     * gate/up reading ffn_norm) can have their weights swapped by a bug.
     */
    public boolean sharesInputWith(StepKind other) {
        return this != other && op == Op.LINEAR && other.op == Op.LINEAR && inputs.equals(other.inputs);
    }

    /** The per-layer kinds in execution order. */
    public static List<StepKind> layerKinds() {
        return LAYER_KINDS;
    }

    /** The kind with this id ({@code "attn_probs"}), if any. */
    public static Optional<StepKind> byId(String id) {
        for (StepKind k : values()) {
            if (k.id.equals(id)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The kind of a canonical step name ({@code layers.3.q} is {@link #Q}); empty for other names. */
    public static Optional<StepKind> of(String stepName) {
        if (!CanonicalSteps.isCanonical(stepName)) {
            return Optional.empty();
        }
        return byId(CanonicalSteps.kindOf(stepName));
    }

    /** The step name of this kind in {@code layer} (ignored for model steps). */
    public String stepName(int layer) {
        return perLayer() ? CanonicalSteps.layerStep(layer, id) : id;
    }

    /** Whether {@code stepName} is a canonical step of this kind. */
    public boolean is(String stepName) {
        return of(stepName).orElse(null) == this;
    }
}
