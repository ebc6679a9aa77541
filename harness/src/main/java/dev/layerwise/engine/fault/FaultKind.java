package dev.layerwise.engine.fault;

import dev.layerwise.trace.StepKind;
import dev.layerwise.trace.StepKind.Op;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * What an injected fault does (docs/fault-injection.md). The first kinds overwrite a step's output buffer
 * (any step); the semantic kinds change how the step is computed and apply to the steps that compute it.
 * Each constant is also the grammar of its {@code --inject} spelling ({@link FaultGrammar}): its name and the
 * type of its argument. Adding a kind is one constant here plus its effect in the engine ({@code FaultInjector}).
 */
public enum FaultKind {
    /** Every element becomes 0 (a kernel that writes nothing into a zeroed buffer, e.g. silu returning 0). */
    ZERO("zero"),
    /** Every element becomes NaN (an overflow or uninitialised read that poisons the tensor). */
    NAN("nan"),
    /**
     * Every element (with {@code @last}: every element of the last token's row) is multiplied by a factor (a wrong
     * scale constant), rounded to the step dtype.
     */
    SCALE("scale", Argument.FACTOR, "scale factor", true),
    /** The buffer holds the content of an earlier step of the same shape (wrong buffer bound / aliasing). */
    STALE("stale", Argument.STEP, "stale source", false),
    /**
     * Every element (with {@code @last}: of the last token's row) moves N ulps (default 1) of the step dtype toward
     * +infinity (a systematic rounding difference).
     */
    PERTURB_ULP("perturb-ulp", Argument.OPTIONAL_COUNT, "ulp count", true),
    /** The op does not run: the buffer keeps what it held (zeros on first use, else the previous layer's). */
    SKIP("skip"),
    /** Softmax over every key position: the causal mask is missing. */
    NO_CAUSAL_MASK("no-causal-mask", Op.ATTENTION_PROBS),
    /** Query t also sees key t + 1: the causal mask is off by one (a {@code >} written for {@code >=}). */
    CAUSAL_OFF_BY_ONE("causal-off-by-one", Op.ATTENTION_PROBS),
    /** Scores are not multiplied by D^-0.5 before the softmax. */
    NO_SCALE("no-scale", Op.ATTENTION_PROBS),
    /** Query head h reads key (attn_probs) or value (attn_ctx) head h % nKV instead of h / (nH / nKV). */
    GQA_MODULO("gqa-modulo", Op.ATTENTION_PROBS, Op.ATTENTION_CONTEXT),
    /** RoPE rotates interleaved pairs (2i, 2i+1) instead of Llama's half-split pairs (i, i + D/2). */
    ROPE_INTERLEAVED("rope-interleaved", Op.ROPE),
    /**
     * RoPE rotates token t as position t + N (a wrong position counter or KV-cache offset); with {@code @last}
     * only the last token (a decode-path position off by N).
     */
    ROPE_OFFSET("rope-offset", Argument.POSITIONS, "rope offset", true, Op.ROPE),
    /** RMSNorm takes the mean of squares as the sum over H - 1 instead of H (a 1/(H-1) written for 1/H). */
    NORM_H_MINUS_1("norm-h-minus-1", Op.RMS_NORM),
    /**
     * The projection's running sum is rounded to float16 after every term: a matmul that accumulates in half
     * precision (the opencl engine's f16-accumulation path does the same).
     */
    HALF_ACCUMULATION("half-accumulation", Op.LINEAR),
    /** The projection's reduction stops N columns early: its last N inputs are dropped (a tail tile never run). */
    DROP_COLUMNS("drop-columns", Argument.COUNT, "dropped column count", false, Op.LINEAR),
    /** The residual add is missing: the step is the branch output alone (attn_out or ffn_out). */
    NO_RESIDUAL("no-residual", Op.RESIDUAL_ADD),
    /**
     * The projection uses the weights of OTHER_STEP of the same layer and OTHER_STEP uses this step's. Applies to
     * linear steps that share their input with another linear step ({@link StepKind#sharesInputWith}).
     */
    SWAP("swap", Argument.STEP, "swap partner", false, Op.LINEAR);

    /** What follows the kind's name after a colon: nothing, a number, a count of positions or another step. */
    public enum Argument {
        NONE(""),
        /** A finite number ({@link Fault#factor}). */
        FACTOR("F"),
        /** A positive integer ({@link Fault#positionOffset}). */
        POSITIONS("N"),
        /** A positive integer ({@link Fault#count}). */
        COUNT("N"),
        /** A positive integer, 1 when left out ({@link Fault#count}). */
        OPTIONAL_COUNT("N"),
        /** A canonical step of the model; {@code *} stands for the target's layer ({@link Fault#source}). */
        STEP("OTHER_STEP");

        private final String placeholder;

        Argument(String placeholder) {
            this.placeholder = placeholder;
        }

        public String placeholder() {
            return placeholder;
        }
    }

    private final String name;
    private final Argument argument;
    private final String argumentRole;
    private final boolean lastTokenVariant;
    private final Set<Op> ops;

    FaultKind(String name, Op... ops) {
        this(name, Argument.NONE, null, false, ops);
    }

    FaultKind(String name, Argument argument, String argumentRole, boolean lastTokenVariant, Op... ops) {
        this.name = name;
        this.argument = argument;
        this.argumentRole = argumentRole;
        this.lastTokenVariant = lastTokenVariant;
        this.ops = ops.length == 0 ? Set.of() : EnumSet.copyOf(Arrays.asList(ops));
    }

    /** Whether the kind accepts the {@code @last} suffix (one wrong row: the last token's). */
    public boolean lastTokenVariant() {
        return lastTokenVariant;
    }

    /** The name before the colon: "scale", "no-causal-mask". */
    public String specName() {
        return name;
    }

    public Argument argument() {
        return argument;
    }

    /** What the argument is, for error messages: "scale factor", "stale source" (null without argument). */
    public String argumentRole() {
        return argumentRole;
    }

    /** The spelling in help texts and errors: "zero", "scale:F[@last]", "perturb-ulp[:N][@last]". */
    public String syntax() {
        String arg = switch (argument) {
            case NONE -> "";
            case OPTIONAL_COUNT -> "[:" + argument.placeholder() + "]";
            default -> ":" + argument.placeholder();
        };
        return name + arg + (lastTokenVariant ? "[" + Fault.LAST_TOKEN + "]" : "");
    }

    /** True when the kind changes the computation rather than overwriting the step's output buffer. */
    public boolean semantic() {
        return !ops.isEmpty();
    }

    /** Whether the kind applies to a step of this kind; buffer kinds apply to any. */
    public boolean appliesTo(StepKind step) {
        if (!semantic()) {
            return true;
        }
        if (this == SWAP) {
            return Arrays.stream(StepKind.values()).anyMatch(step::sharesInputWith);
        }
        return ops.contains(step.op());
    }

    /** The step kinds a semantic kind applies to, in canonical order, for error messages. */
    public String stepKindsText() {
        return Arrays.stream(StepKind.values()).filter(k -> semantic() && appliesTo(k)).map(StepKind::id)
                .reduce((a, b) -> a + ", " + b).orElse("any step");
    }
}
