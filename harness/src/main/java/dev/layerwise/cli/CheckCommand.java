package dev.layerwise.cli;

import dev.layerwise.engine.ReferenceRunner;
import dev.layerwise.engine.Engine;
import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.engine.NonFinite;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import dev.layerwise.trace.TraceWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code layerwise check}: runs a checkpoint on a reference trace's input and compares step by step. */
@Command(name = "check", description = {"Runs a checkpoint on a reference trace's input and compares every step with it.",
            "Uses the reference's token ids (and, for --engine cpu or opencl, its dtype); reports the first divergent step and why.",
            "Exit status: 0 every compared step within tolerance, 1 a divergence, 2 bad input, 3 not comparable "
                + "(including: less than --min-coverage of the reference compared)."})
public final class CheckCommand extends LayerwiseCommand {

    @Mixin
    ModelRunOptions model;

    @Option(names = "--reference", required = true, paramLabel = "TRACE", description = "The trusted trace.")
    Path reference;

    @Option(names = "--out", paramLabel = "TRACE", description = "Also keep the engine's trace here.")
    Path out;

    @Mixin
    EngineCommandOptions engineCmd;

    @Mixin
    ProfileOption profile;

    @Mixin
    CoverageOption coverage;

    @Mixin
    ReportOptions reports;

    @Override
    public Integer call() {
        reports.check("check"); // a refused report folder or --out fails before the engine runs
        AtomicFiles.Overwrite overwrite = reports.force ? AtomicFiles.Overwrite.ALLOW : AtomicFiles.Overwrite.REFUSE;
        if (out != null) {
            AtomicFiles.checkTarget(out, overwrite);
        }
        TraceComparator comparator = coverage.apply(profile.comparator());
        Trace ref = TraceReader.read(reference);
        RunOptions options = model.toRunOptions();
        Trace candidate;
        try (Engine engine = engineCmd.open(model, options.engine());
                LayerProgress progress = new LayerProgress("check", model.forceProgress())) {
            candidate = ReferenceRunner.runLike(engine, ref, options.withProgress(progress), reference);
        }
        if (out != null) {
            TraceWriter.write(candidate, out, overwrite);
        }
        Comparison c = comparator.compare(ref, candidate);
        reports.publish("check", c, out());
        NonFinite.describe(candidate).ifPresent(this::warn);
        return c.exitCode();
    }
}
