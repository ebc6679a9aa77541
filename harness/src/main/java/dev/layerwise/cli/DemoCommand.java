package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.engine.Engine;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.engine.JavaEngine;
import dev.layerwise.engine.ReferenceRunner;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.io.OutputFolder;
import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticCheckpointWriter;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import dev.layerwise.report.ConsoleSummary;
import dev.layerwise.report.ReportFormat;
import dev.layerwise.report.Reports;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code layerwise demo}: the seed report's story in one command. Synthesizes the tiny preset (seed 1,
 * f16), checks a clean run against the committed Hugging Face reference, then a run with SiLU returning
 * zeros, and shows that the second is caught at {@code layers.0.silu_gate}.
 */
@Command(name = "demo", description = {"Runs a synthetic model clean and with the seed's SiLU fault against its committed HF reference.",
            "Checks the engine (cpu, or opencl) against reference-dumps/tiny-seed1-f16.json twice: clean, and with the seed",
            "report's fault planted (layers.*.silu_gate=zero). Writes both reports under reports/demo/.",
            "Exit status: 0 when the clean run passes and the fault is caught at layers.0.silu_gate, else 1."})
public final class DemoCommand extends LayerwiseCommand {
    static final String REFERENCE = "reference-dumps/tiny-seed1-f16.json";
    static final String FAULT = "layers.*.silu_gate=zero";
    static final String EXPECTED_STEP = "layers.0.silu_gate";

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Default: reports/demo under the repository. A new folder, or one"
            + " holding only a previous demo's reports (docs/reports.md, \"Where reports go\").")
    Path reportDir;

    @Option(names = "--force", description = "Add the reports to a --report-dir that holds other files (never replaced).")
    boolean force;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws IOException {
        if (engine.engineKind() == EngineKind.ORACLE) {
            throw LayerwiseException.badInput("--engine", null, "the demo runs cpu or opencl, not 'oracle'");
        }
        RunOptions options = engine.toRunOptions(); // checks --threads, --device and --poison before any work
        Path root = repositoryRoot();
        Path reference = root.resolve(REFERENCE);
        if (!Files.isRegularFile(reference)) {
            throw LayerwiseException.badInput(reference, null, "missing (run from a Layerwise checkout)");
        }
        Path dir = reportDir != null ? reportDir : root.resolve("reports/demo");
        OutputFolder.check(dir, force, OutputFolder.Previous.REPLACE);
        for (String sub : List.of("clean", "silu-zero")) {
            OutputFolder.check(dir.resolve(sub), false, OutputFolder.Previous.REPLACE);
        }
        Path work = Files.createTempDirectory("layerwise-demo");
        PrintWriter out = out();
        try (OutputFolder reports = OutputFolder.open(dir, force, OutputFolder.Previous.REPLACE)) {
            Path model = work.resolve("tiny-seed1-f16");
            new SyntheticCheckpointWriter().write(SyntheticModel.of(Preset.TINY, 1, DType.FLOAT16), model, true);
            out.println("synthesized preset tiny, seed 1, f16 into " + model);
            Trace ref = TraceReader.read(reference);
            TraceComparator comparator = TraceComparator.create();

            Comparison clean;
            Comparison faulty;
            Path cleanDir = dir.resolve("clean");
            Path faultyDir = dir.resolve("silu-zero");
            try (Engine engine = JavaEngine.open(model, options.engine())) {
                out.println();
                out.println("1) clean run vs " + REFERENCE);
                clean = comparator.compare(ref, run(engine, ref, options, reference));
                ConsoleSummary.print(clean, out);
                try (OutputFolder folder = reports.subfolder("clean", OutputFolder.Previous.REPLACE)) {
                    Reports.write(folder, EnumSet.allOf(ReportFormat.class), clean);
                }

                out.println();
                out.println("2) run with --inject " + FAULT + " (the seed report's bug) vs " + REFERENCE);
                faulty = comparator.compare(ref, run(engine, ref, options.withInject(List.of(FAULT)), reference));
                ConsoleSummary.print(faulty, out);
                try (OutputFolder folder = reports.subfolder("silu-zero", OutputFolder.Previous.REPLACE)) {
                    Reports.write(folder, EnumSet.allOf(ReportFormat.class), faulty);
                }
            }
            reports.commit();

            boolean caught = EXPECTED_STEP.equals(faulty.firstDivergence());
            out.println();
            out.println("reports: " + cleanDir + " and " + faultyDir);
            out.println("clean run: " + (clean.passed() ? "passes" : "FAILS") + "; planted fault: "
                    + (caught ? "caught at " + EXPECTED_STEP
                            : "NOT localized at " + EXPECTED_STEP + " (first divergence: " + faulty.firstDivergence() + ")"));
            out.flush();
            return clean.passed() && caught ? 0 : 1;
        } finally {
            AtomicFiles.deleteTreeQuietly(work);
        }
    }

    private static Trace run(Engine engine, Trace ref, RunOptions options, Path reference) {
        try (LayerProgress progress = new LayerProgress("check", false)) {
            return ReferenceRunner.runLike(engine, ref, options.withProgress(progress), reference);
        }
    }

    /** The launcher's -Dlayerwise.root, else the first directory upwards holding reference-dumps/. */
    static Path repositoryRoot() {
        String prop = System.getProperty("layerwise.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "reference-dumps"))) {
            return Path.of(prop).toAbsolutePath();
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("reference-dumps"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw LayerwiseException.badInput("reference-dumps", null,
                    "not found above " + Path.of("").toAbsolutePath() + " (run from a Layerwise checkout)");
        }
        return p;
    }
}
