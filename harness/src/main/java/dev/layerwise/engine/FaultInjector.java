package dev.layerwise.engine;

import dev.layerwise.engine.fault.Fault;
import dev.layerwise.engine.fault.FaultPlan;
import java.util.HashMap;
import java.util.Map;

/**
 * Applies a {@link FaultPlan} to the buffers of one forward pass, after a step's op ran (or was skipped)
 * and before it is recorded, so that the fault flows into every later step.
 */
final class FaultInjector<B> {
    private final FaultPlan plan;
    private final Kernels<B> kernels;
    private final Map<String, B> snapshots = new HashMap<>();

    FaultInjector(FaultPlan plan, Kernels<B> kernels, ModelShape shape, int tokens) {
        this.plan = plan;
        this.kernels = kernels;
        for (String source : plan.staleSources()) {
            snapshots.put(source, kernels.allocate(ModelForwardBuffers.elements(shape.stepShape(source, tokens))));
        }
    }

    boolean skips(String step) {
        return plan.skips(step);
    }

    /** Applies the step's fault (if any), then keeps a copy if a later stale fault needs this step. */
    void afterStep(String step, B buffer, int n) {
        Fault f = plan.faultFor(step);
        if (f != null) {
            switch (f.kind()) {
                case ZERO -> kernels.fill(buffer, n, 0.0);
                case NAN -> kernels.fill(buffer, n, Double.NaN);
                case SCALE -> kernels.scale(buffer, n, f.factor());
                case STALE -> kernels.copy(snapshots.get(f.source()), buffer, n);
                case PERTURB_ULP -> kernels.perturbUlp(buffer, n);
                case SKIP -> {
                    // the op did not run: the buffer keeps its old content
                }
            }
        }
        B snapshot = snapshots.get(step);
        if (snapshot != null) {
            kernels.copy(buffer, snapshot, n);
        }
    }
}
