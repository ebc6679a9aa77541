package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.LlamaEngine;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.engine.StepRecorder;
import dev.layerwise.engine.Tokens;
import dev.layerwise.engine.kernels.MatMulTile;
import dev.layerwise.model.HfCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code layerwise bench} (hidden; used by scripts/bench_cpu.sh): warm-JVM timings of the cpu engine's
 * forward pass with every step recorded and without recording, per round (wall, own CPU, and the cores other
 * processes used meanwhile), the vector species and matmul tile the JVM used, and the process's peak RSS.
 */
@Command(name = "bench", hidden = true,
        description = "Times the cpu engine's forward pass (warm JVM), with and without recording every step.")
public final class BenchCommand extends LayerwiseCommand {

    @Mixin
    ModelRunOptions model;

    @Mixin
    InputOptions input;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Untimed runs of each kind first.")
    int warmup;

    @Option(names = "--iterations", defaultValue = "5", paramLabel = "N", description = "Timed runs of each kind.")
    int iterations;

    @Override
    public Integer call() {
        if (iterations < 1 || warmup < 0) {
            throw LayerwiseException.badInput("--iterations", null, "must be at least 1");
        }
        double[] recorded = new double[iterations];
        double[] bare = new double[iterations];
        double[] recordedCpu = new double[iterations];
        double[] bareCpu = new double[iterations];
        double[] recordedOthers = new double[iterations];
        double[] bareOthers = new double[iterations];
        long checkpointBytes;
        int tokenCount;
        try (HfCheckpoint cp = HfCheckpoint.open(model.model())) {
            checkpointBytes = directorySize(model.model());
            LlamaEngine engine = LlamaEngine.of(cp);
            int[] tokens = input.tokenIds(cp.config().dims().vocab());
            Tokens.checkVocabulary(tokens, cp.config().dims().vocab(), input.tokenOrigin());
            tokenCount = tokens.length;
            RunOptions options = model.toRunOptions().withDtype(input.dtypeOrNull());
            for (int i = 0; i < warmup; i++) {
                engine.run(tokens, options);
                engine.run(tokens, options, StepRecorder.NONE);
            }
            // alternate the two kinds so that load changes on the machine hit both alike
            for (int i = 0; i < iterations; i++) {
                OtherProcessesCpu.Sample s0 = OtherProcessesCpu.sample();
                engine.run(tokens, options);
                OtherProcessesCpu.Sample s1 = OtherProcessesCpu.sample();
                engine.run(tokens, options, StepRecorder.NONE);
                OtherProcessesCpu.Sample s2 = OtherProcessesCpu.sample();
                recorded[i] = (s1.wallNanos() - s0.wallNanos()) / 1e9;
                bare[i] = (s2.wallNanos() - s1.wallNanos()) / 1e9;
                recordedCpu[i] = (s1.ownCpuNanos() - s0.ownCpuNanos()) / 1e9;
                bareCpu[i] = (s2.ownCpuNanos() - s1.ownCpuNanos()) / 1e9;
                recordedOthers[i] = OtherProcessesCpu.coresBetween(s0, s1);
                bareOthers[i] = OtherProcessesCpu.coresBetween(s1, s2);
            }
        }
        long peakRss = peakRssBytes();
        PrintWriter out = out();
        out.printf(Locale.ROOT, "{\"tokens\": %d, \"threads\": %d, \"iterations\": %d, "
                + "\"vector_species\": \"%s\", \"use_avx\": \"%s\", \"matmul_tile\": \"%s\", "
                + "\"recorded_s\": %s, \"bare_s\": %s, \"recorded_cpu_s\": %s, \"bare_cpu_s\": %s, "
                + "\"recorded_others_cores\": %s, \"bare_others_cores\": %s, "
                + "\"peak_rss_bytes\": %d, \"checkpoint_bytes\": %d, \"rss_over_checkpoint\": %.3f}%n",
                tokenCount, model.engine.threads(), iterations, FloatVector.SPECIES_PREFERRED, vmOption("UseAVX"),
                MatMulTile.describeChoices(), json(recorded), json(bare), json(recordedCpu), json(bareCpu),
                json(recordedOthers), json(bareOthers), peakRss, checkpointBytes, (double) peakRss / checkpointBytes);
        out.flush();
        return 0;
    }

    private static String json(double[] v) {
        return Arrays.stream(v).mapToObj(x -> Double.isNaN(x) ? "null" : String.format(Locale.ROOT, "%.4f", x))
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }

    /** A HotSpot flag's value (e.g. UseAVX on x86), or "n/a" where the VM has none. */
    private static String vmOption(String name) {
        try {
            return java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return "n/a";
        }
    }

    private static long directorySize(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    /** VmHWM from /proc/self/status (Linux), or -1. */
    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }
}
