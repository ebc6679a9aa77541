package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.engine.JavaEngine;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.engine.Tokens;
import dev.layerwise.replay.KernelReplay;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code layerwise replay}: every kernel of an opencl run against the host op on the inputs it read. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Runs the opencl engine, reads back the inputs every kernel used, runs the cpu engine's op and "
                + "the float64 oracle's op on exactly those inputs, and reports each kernel's local error apart from "
                + "the error its inputs inherited (against a clean cpu pass).",
            "The reports (--report-dir, as compare's) compare the device's steps with the cpu op on the device's inputs.",
            "Exit status: 0 every kernel agrees with its op, 1 a kernel diverges on its own inputs, 2 bad input."})
public final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelRunOptions model;

    @Mixin
    InputOptions input;

    @Mixin
    ProfileOption profile;

    @Mixin
    ReportOptions reports;

    @Override
    public Integer call() {
        reports.check("replay");
        RunOptions base = model.toRunOptions();
        if (base.engine() != EngineKind.OPENCL) {
            throw LayerwiseException.badInput("--engine", null, "replay replays the kernels of --engine opencl");
        }
        KernelReplay.Result r;
        try (JavaEngine engine = JavaEngine.open(model.model(), EngineKind.OPENCL);
                LayerProgress progress = new LayerProgress("replay", model.forceProgress())) {
            int[] tokens = input.tokenIds(engine.vocabSize());
            Tokens.checkVocabulary(tokens, engine.vocabSize(), input.tokenOrigin());
            RunOptions options = base.withDtype(input.dtypeOrNull()).withProgress(progress);
            r = KernelReplay.run(engine.llama(), tokens, options, profile.comparator());
        }
        PrintWriter out = spec.commandLine().getOut();
        printKernels(r, out);
        reports.publish("replay", r.local(), out);
        return r.faulted().isPresent() ? 1 : 0;
    }

    private static void printKernels(KernelReplay.Result r, PrintWriter out) {
        out.println("kernel by kernel (relative L2 error; local: the device against the op on the device's own inputs;"
                + " inherited: the inputs against a clean cpu pass):");
        out.printf(Locale.ROOT, "  %-24s %-5s %-12s %-12s %-12s %-12s %-12s%n", "step", "local", "vs cpu op",
                "vs oracle op", "cpu op rnd", "inherited", "whole pass");
        for (KernelReplay.Kernel k : r.kernels()) {
            out.printf(Locale.ROOT, "  %-24s %-5s %-12s %-12s %-12s %-12s %-12s%n", k.step(),
                    k.bitIdentical() ? "same" : k.local().symbol(), num(k.localError()), num(k.oracleError()),
                    num(k.cpuOpOracleError()), num(k.inheritedError()), num(k.wholeError()));
        }
        out.println(r.faulted().map(k -> "replay: faulted kernel " + k.step() + " (local error " + num(k.localError())
                + " on its own inputs, inherited " + num(k.inheritedError()) + "); the whole pass first diverges at "
                + (r.whole().firstDivergence() == null ? "no step" : r.whole().firstDivergence()))
                .orElse("replay: every kernel agrees with its op on its own inputs" + r.firstInexact()
                        .map(k -> " (first not bit-identical to the cpu op: " + k.step() + ")").orElse("")));
    }

    private static String num(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3g", v);
    }
}
