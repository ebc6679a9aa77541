package dev.layerwise.engine.opencl;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * Bug classes of GPU engines that the opencl engine can plant with {@code --inject STEP=KIND}
 * (docs/fault-injection.md). Unlike the engine-independent kinds they act inside the engine: on what
 * is enqueued, on which buffer a kernel writes, on how a kernel reduces.
 */
public enum GpuFaultKind {
    /** The step's kernel is never enqueued: its output buffer keeps what it held (poison shows it). */
    NOT_ENQUEUED("not-enqueued"),
    /**
     * The kernel writes into a buffer from the pool, but the step hands on another pooled buffer that it
     * never wrote: the consumers read whatever that buffer held before.
     */
    STALE_POOLED_BUFFER("stale-pooled-buffer"),
    /**
     * The step's kernel does not wait for its producers' events; the producers are held back (on a side queue,
     * {@link ClQueue}) until it has run, so it reads what their output buffers held before (reproducibly). Every
     * step but embed, which reads no activation.
     */
    MISSING_WAIT("missing-wait", "attn_norm", "q", "k", "v", "q_rope", "k_rope", "attn_probs", "attn_ctx", "attn_out",
            "resid_mid", "ffn_norm", "gate", "up", "silu_gate", "gated", "ffn_out", "out", "final_norm", "logits"),
    /** A matrix product split over input chunks whose partial sums are added with atomics in arrival order. */
    ATOMIC_REDUCTION("atomic-reduction", "q", "k", "v", "attn_out", "gate", "up", "ffn_out", "logits"),
    /** A matrix product that accumulates in float16 (the accumulator rounded after every fma). */
    F16_ACCUMULATION("f16-accumulation", "q", "k", "v", "attn_out", "gate", "up", "ffn_out", "logits");

    private final String syntax;
    private final Set<String> stepKinds;

    GpuFaultKind(String syntax, String... stepKinds) {
        this.syntax = syntax;
        this.stepKinds = Set.of(stepKinds);
    }

    public String syntax() {
        return syntax;
    }

    public boolean appliesTo(String stepKind) {
        return stepKinds.isEmpty() || stepKinds.contains(stepKind);
    }

    public String stepKindsText() {
        return stepKinds.isEmpty() ? "any step" : String.join(", ", stepKinds.stream().sorted().toList());
    }

    public static Optional<GpuFaultKind> ofSyntax(String text) {
        return Arrays.stream(values()).filter(k -> k.syntax.equals(text)).findFirst();
    }
}
