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
    /** Every element is multiplied by a factor (a wrong scale constant), rounded to the step dtype. */
    SCALE("scale", Argument.FACTOR, "scale factor"),
    /** The buffer holds the content of an earlier step of the same shape (wrong buffer bound / aliasing). */
    STALE("stale", Argument.STEP, "stale source"),
    /** Every element moves one ulp of the step dtype toward +infinity (a systematic rounding difference). */
    PERTURB_ULP("perturb-ulp"),
    /** The op does not run: the buffer keeps what it held (zeros on first use, else the previous layer's). */
    SKIP("skip"),
    /** Softmax over every key position: the causal mask is missing. */
    NO_CAUSAL_MASK("no-causal-mask", Op.ATTENTION_PROBS),
    /** Scores are not multiplied by D^-0.5 before the softmax. */
    NO_SCALE("no-scale", Op.ATTENTION_PROBS),
    /** Query head h reads key (attn_probs) or value (attn_ctx) head h % nKV instead of h / (nH / nKV). */
    GQA_MODULO("gqa-modulo", Op.ATTENTION_PROBS, Op.ATTENTION_CONTEXT),
    /** RoPE rotates interleaved pairs (2i, 2i+1) instead of Llama's half-split pairs (i, i + D/2). */
    ROPE_INTERLEAVED("rope-interleaved", Op.ROPE),
    /** RoPE rotates token t as position t + N (a wrong position counter or KV-cache offset). */
    ROPE_OFFSET("rope-offset", Argument.POSITIONS, "rope offset", Op.ROPE),
    /** The residual add is missing: the step is the branch output alone (attn_out or ffn_out). */
    NO_RESIDUAL("no-residual", Op.RESIDUAL_ADD),
    /**
     * The projection uses the weights of OTHER_STEP of the same layer and OTHER_STEP uses this step's. Applies to
     * linear steps that share their input with another linear step ({@link StepKind#sharesInputWith}).
     */
    SWAP("swap", Argument.STEP, "swap partner", Op.LINEAR);

    /** What follows the kind's name after a colon: nothing, a number, a count of positions or another step. */
    public enum Argument {
        NONE(""),
        /** A finite number ({@link Fault#factor}). */
        FACTOR("F"),
        /** A positive integer ({@link Fault#positionOffset}). */
        POSITIONS("N"),
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
    private final Set<Op> ops;

    FaultKind(String name, Op... ops) {
        this(name, Argument.NONE, null, ops);
    }

    FaultKind(String name, Argument argument, String argumentRole, Op... ops) {
        this.name = name;
        this.argument = argument;
        this.argumentRole = argumentRole;
        this.ops = ops.length == 0 ? Set.of() : EnumSet.copyOf(Arrays.asList(ops));
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

    /** The spelling in help texts and errors: "zero", "scale:F", "stale:OTHER_STEP". */
    public String syntax() {
        return argument == Argument.NONE ? name : name + ":" + argument.placeholder();
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
