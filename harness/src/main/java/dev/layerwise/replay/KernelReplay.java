package dev.layerwise.replay;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.compare.Verdict;
import dev.layerwise.trace.StepGraph;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.engine.LlamaEngine;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.engine.opencl.ReplayLog;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kernel-by-kernel replay of an opencl run ({@code layerwise replay}): every op's device output against
 * the cpu engine's op and the float64 oracle's op on exactly the inputs the device read (the kernel's
 * local error), beside the whole-pass comparison with a clean cpu run (what its inputs inherited).
 */
public final class KernelReplay {
    private KernelReplay() {
    }

    /** One kernel: how far its output is from the host op on its own inputs, and from a clean pass. */
    public record Kernel(String step, Verdict local, boolean bitIdentical, Double localError, Double oracleError,
            Double cpuOpOracleError, Double inheritedError, Double wholeError) {
    }

    /**
     * @param local the device's trace against the cpu op on the device's inputs (the same report formats as compare)
     * @param whole the device's trace against a clean cpu-engine pass (no fault)
     */
    public record Result(Trace device, Comparison local, Comparison oracle, Comparison whole, List<Kernel> kernels) {
        /** The first kernel whose own output diverges beyond tolerance from the op on its inputs. */
        public Optional<Kernel> faulted() {
            return kernels.stream().filter(k -> k.local().isFailing()).findFirst();
        }

        /** The first kernel whose output is not bit-identical to the cpu op on its inputs. */
        public Optional<Kernel> firstInexact() {
            return kernels.stream().filter(k -> !k.bitIdentical()).findFirst();
        }
    }

    /** Runs {@code tokens} with {@code options} (engine opencl) and replays every kernel. */
    public static Result run(LlamaEngine engine, int[] tokens, RunOptions options, TraceComparator comparator) {
        ReplayLog log = new ReplayLog();
        Trace device = engine.run(tokens, options.withOpenCl(options.openCl().replayingInto(log)));
        ReplayLog.LocalTraces local = log.replay(device, options.threads());
        Trace clean = engine.run(tokens, options.withEngine(EngineKind.CPU).withInject(List.of())
                .withDtype(device.dtype()));
        Comparison localCmp = comparator.compare(local.cpuOp(), device);
        Comparison oracleCmp = comparator.compare(local.oracleOp(), device);
        Comparison cpuOpVsOracle = comparator.compare(local.oracleOp(), local.cpuOp());
        Comparison whole = comparator.compare(clean, device);
        List<String> names = device.steps().stream().map(Step::name).toList();
        List<Kernel> kernels = new ArrayList<>();
        for (StepResult r : localCmp.steps()) {
            if (!r.inBoth()) {
                continue;
            }
            Double inheritedError = 0.0;
            for (String input : StepGraph.inputsOf(r.name(), names)) {
                Double e = error(whole, input);
                if (e != null) {
                    inheritedError = Double.isNaN(e) || Double.isNaN(inheritedError) ? Double.NaN
                            : Math.max(inheritedError, e);
                }
            }
            boolean same = sameBits(r.reference(), r.candidate());
            kernels.add(new Kernel(r.name(), r.verdict(), same, r.metrics() == null ? null : r.metrics().headline(),
                    headline(oracleCmp, r.name()), headline(cpuOpVsOracle, r.name()), inheritedError,
                    error(whole, r.name())));
        }
        return new Result(device, localCmp, oracleCmp, whole, kernels);
    }

    private static Double headline(Comparison c, String step) {
        return c.step(step).filter(StepResult::inBoth).map(r -> r.metrics() == null ? null : r.metrics().headline())
                .orElse(null);
    }

    /**
     * The step's error in a comparison: its headline metric; NaN when it gained non-finite values or
     * fails without a measurable deviation; null when it is not in both traces.
     */
    private static Double error(Comparison c, String step) {
        StepResult r = c.step(step).filter(StepResult::inBoth).orElse(null);
        if (r == null) {
            return null;
        }
        var m = r.metrics();
        boolean gainedNonFinite = m != null && m.candNonFinite() != null
                && m.candNonFinite() > (m.refNonFinite() == null ? 0 : m.refNonFinite());
        Double h = m == null ? null : m.headline();
        if (gainedNonFinite || (h == null && r.verdict().isFailing())) {
            return Double.NaN;
        }
        return h;
    }

    /** Same bits: equal hashes, or without hashes (--no-hash) equal statistics, row sums and sketch. */
    private static boolean sameBits(Step a, Step b) {
        if (a.sha256() != null && b.sha256() != null) {
            return a.sha256().equals(b.sha256());
        }
        return a.stats().equals(b.stats()) && java.util.Arrays.equals(a.rowSums(), b.rowSums())
                && java.util.Arrays.equals(a.sketch(), b.sketch());
    }
}
