package dev.layerwise.engine;

import dev.layerwise.engine.fault.Fault;
import dev.layerwise.engine.fault.FaultKind;
import dev.layerwise.engine.fault.FaultPlan;
import dev.layerwise.engine.kernels.AttentionVariant;
import dev.layerwise.engine.kernels.LinearVariant;
import dev.layerwise.engine.kernels.RopeVariant;
import dev.layerwise.numeric.DType;
import dev.layerwise.numeric.Shapes;
import dev.layerwise.trace.ModelDims;
import dev.layerwise.trace.StepKind;
import java.util.HashMap;
import java.util.Map;

/**
 * Applies a {@link FaultPlan} to the buffers of one forward pass, after a step's op ran (or was skipped)
 * and before it is recorded, so that the fault flows into every later step; semantic faults instead
 * change how the forward pass computes the step (the variant, weights or residual it asks for here).
 */
final class FaultInjector<B> {
    private final FaultPlan plan;
    private final Arithmetic<B> kernels;
    private final Map<String, B> snapshots = new HashMap<>();
    private final int tokens;

    FaultInjector(FaultPlan plan, Arithmetic<B> kernels, ModelDims dims, int tokens) {
        this.plan = plan;
        this.kernels = kernels;
        this.tokens = tokens;
        for (String source : plan.staleSources()) {
            snapshots.put(source, kernels.allocate(Shapes.intElementCount(dims.shapeOf(source, tokens))));
        }
    }

    boolean skips(String step) {
        return plan.skips(step);
    }

    /** How attention computes {@code step} (attn_probs or attn_ctx). */
    AttentionVariant attention(String step) {
        boolean modulo = plan.has(step, FaultKind.GQA_MODULO);
        boolean causal = !plan.has(step, FaultKind.NO_CAUSAL_MASK);
        boolean scaled = !plan.has(step, FaultKind.NO_SCALE);
        int lookahead = plan.has(step, FaultKind.CAUSAL_OFF_BY_ONE) ? 1 : 0;
        return modulo || !causal || !scaled || lookahead > 0 ? new AttentionVariant(causal, scaled, modulo, lookahead)
                : AttentionVariant.STANDARD;
    }

    /** How RoPE computes {@code step} (q_rope or k_rope). */
    RopeVariant rope(String step) {
        Fault f = plan.faultFor(step);
        if (f == null || !f.kind().semantic()) {
            return RopeVariant.STANDARD;
        }
        return new RopeVariant(f.kind() == FaultKind.ROPE_INTERLEAVED, f.positionOffset(),
                f.lastTokenOnly() ? tokens - 1 : 0);
    }

    /**
     * How the projection {@code step} reduces: all its columns in float32 unless a fault says otherwise. A half
     * accumulator is the model's own 16-bit dtype (bfloat16 for a bfloat16 model, as PyTorch's reduced-precision
     * reduction does), float16 otherwise.
     */
    LinearVariant linear(String step) {
        Fault f = plan.faultFor(step);
        if (f == null || (f.kind() != FaultKind.DROP_COLUMNS && f.kind() != FaultKind.HALF_ACCUMULATION)) {
            return LinearVariant.STANDARD;
        }
        DType accumulator = kernels.stepDtype() == DType.BFLOAT16 ? DType.BFLOAT16 : DType.FLOAT16;
        return new LinearVariant(f.kind() == FaultKind.DROP_COLUMNS ? f.count() : 0,
                f.kind() == FaultKind.HALF_ACCUMULATION ? accumulator : null);
    }

    /** What the RMSNorm {@code step} over {@code cols} divides its sum of squares by. */
    int normMeanOver(String step, int cols) {
        return plan.has(step, FaultKind.NORM_H_MINUS_1) ? cols - 1 : cols;
    }

    /** True when the residual add of {@code step} (resid_mid or out) is dropped. */
    boolean dropsResidual(String step) {
        return plan.has(step, FaultKind.NO_RESIDUAL);
    }

    /** The linear step kind ({@code UP}) whose weights compute {@code step} ("layers.0.gate"): its own unless swapped. */
    StepKind weightsOf(String step) {
        Fault f = plan.faultFor(step);
        return StepKind.of(f != null && f.kind() == FaultKind.SWAP ? f.source() : step).orElseThrow();
    }

    /** Applies the step's fault (if any), then keeps a copy if a later stale fault needs this step. */
    void afterStep(String step, B buffer, int n) {
        Fault f = plan.faultFor(step);
        if (f != null) {
            switch (f.kind()) {
                case ZERO -> kernels.fill(buffer, n, 0.0);
                case NAN -> kernels.fill(buffer, n, Double.NaN);
                case SCALE -> kernels.scale(buffer, firstFaulted(f, n), n, f.factor());
                case STALE -> kernels.copy(snapshots.get(f.source()), buffer, n);
                case PERTURB_ULP -> kernels.perturbUlp(buffer, firstFaulted(f, n), n, f.count());
                case SKIP -> {
                    // the op did not run: the buffer keeps its old content
                }
                default -> {
                    // semantic kinds changed the computation itself
                }
            }
        }
        B snapshot = snapshots.get(step);
        if (snapshot != null) {
            kernels.copy(buffer, snapshot, n);
        }
    }

    /** The first element a buffer fault touches: the last token's row starts at n - n / T (token axis first). */
    private int firstFaulted(Fault f, int n) {
        return f.lastTokenOnly() ? n - n / tokens : 0;
    }
}
