package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.LlamaEngine;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.engine.StepRecorder;
import dev.layerwise.engine.Tokens;
import dev.layerwise.model.HfCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code layerwise bench} (hidden; used by scripts/bench_cpu.sh): warm-JVM timings of the cpu engine's
 * forward pass with every step recorded and without recording, and the process's peak RSS.
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
                long c0 = processCpuNanos();
                long t0 = System.nanoTime();
                engine.run(tokens, options);
                long c1 = processCpuNanos();
                long t1 = System.nanoTime();
                engine.run(tokens, options, StepRecorder.NONE);
                long c2 = processCpuNanos();
                long t2 = System.nanoTime();
                recorded[i] = (t1 - t0) / 1e9;
                bare[i] = (t2 - t1) / 1e9;
                recordedCpu[i] = (c1 - c0) / 1e9;
                bareCpu[i] = (c2 - c1) / 1e9;
            }
        }
        long peakRss = peakRssBytes();
        PrintWriter out = out();
        out.printf(Locale.ROOT, "{\"tokens\": %d, \"threads\": %d, \"iterations\": %d, "
                + "\"recorded_median_s\": %.4f, \"recorded_min_s\": %.4f, \"bare_median_s\": %.4f, \"bare_min_s\": %.4f, "
                + "\"recorded_cpu_median_s\": %.4f, \"bare_cpu_median_s\": %.4f, "
                + "\"recording_overhead\": %.4f, \"peak_rss_bytes\": %d, \"checkpoint_bytes\": %d, "
                + "\"rss_over_checkpoint\": %.3f}%n",
                tokenCount, model.engine.threads(), iterations, median(recorded), min(recorded), median(bare), min(bare),
                median(recordedCpu), median(bareCpu),
                median(recorded) / median(bare) - 1, peakRss, checkpointBytes, (double) peakRss / checkpointBytes);
        out.flush();
        return 0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static long directorySize(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    /** CPU time of the whole process (all threads: workers, recorder, JIT, GC), or 0 when unknown. */
    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
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
