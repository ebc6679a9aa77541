package dev.layerwise.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.testing.Components;
import dev.layerwise.testing.RawTensorSteps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-header C library sdk/c/layerwise_trace.h against Java: an engine-like C program
 * (test resource ctrace/engine_like.c) records tensors covering every dtype, every binary16 and bfloat16
 * bit pattern, NaN, infinities, -0, subnormals and odd shapes, and writes their raw bytes beside the
 * trace; every step must equal {@link StepAccumulator}'s recording of the same values, bit for bit.
 * Built as strict C99, as optimized GNU C with fused multiply-add available, and as C++.
 */
class CTraceCompatibilityIT {
    private static final String INSTALL = "apt-get install gcc g++";

    @Test
    void strictC99TraceIsBitIdenticalToStepAccumulator(@TempDir Path dir) throws Exception {
        String gcc = Components.requireProgram("gcc", INSTALL);
        Path trace = build(dir, "c99", List.of(gcc, "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic"));
        Trace read = TraceReader.read(trace);
        assertEquals(List.of(1, 415, 2936, 9060, 285, 1142), java.util.Arrays.stream(read.input().tokenIds())
                .boxed().toList());
        assertEquals("engine-like \"C\" test", read.producer().name());
        assertEquals(SketchSpec.DEFAULT, read.sketch());
        assertEquals(8, read.model().config().get("hidden_size").asInt());
        int steps = RawTensorSteps.assertBitIdentical(read, dir.resolve("c99.raw"));
        assertEquals(19, steps);
        assertTrue(read.steps().stream().anyMatch(s -> s.stats().nan() > 0 && s.stats().posInf() > 0
                && Double.isNaN(s.sketch()[0])), "a step with NaN and infinities");
        assertTopKIsJavas(read, dir.resolve("c99.raw"));
    }

    /** layerwise_trace_open_with_sketch: another k and a negative seed; Java sketches with the trace's spec. */
    @Test
    void aConfiguredSketchIsBitIdenticalToStepAccumulatorWithThatSpec(@TempDir Path dir) throws Exception {
        String gcc = Components.requireProgram("gcc", INSTALL);
        Path trace = build(dir, "sketch", List.of(gcc, "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic"),
                "5", "-7046029254386353131");
        Trace read = TraceReader.read(trace);
        assertEquals(new SketchSpec(SketchSpec.RADEMACHER_SPLITMIX64, 5, -7046029254386353131L), read.sketch());
        assertEquals(19, RawTensorSteps.assertBitIdentical(read, dir.resolve("sketch.raw")));
        assertEquals(5, read.steps().get(0).sketch().length);
        assertTopKIsJavas(read, dir.resolve("sketch.raw"));
    }

    /** The top_k block equals Java's TopK of the same logits (the step top_k_logits); ties, -0/+0 and NaN included. */
    private static void assertTopKIsJavas(Trace read, Path raw) {
        double[] logits = RawTensorSteps.valuesOf(read, raw, "top_k_logits");
        List<TopLogit> expected = TopK.of(logits, 0, logits.length, TopK.DEFAULT_K);
        assertEquals(expected, read.topK());
        assertEquals(Double.POSITIVE_INFINITY, read.topK().get(0).logit());
        assertEquals(List.of(3, 17, 30), read.topK().subList(1, 4).stream().map(TopLogit::tokenId).toList(),
                "a three-way tie is broken by the lower token id");
        assertEquals(List.of(7, 6), read.topK().subList(4, 6).stream().map(TopLogit::tokenId).toList(),
                "+0 (id 7) ranks above -0 (id 6)");
    }

    /** -march=native offers FMA and -ffp-contract=fast allows it; the header turns contraction off, so nothing may change. */
    @Test
    void optimizedGnuCWithContractionGivesTheSameTrace(@TempDir Path dir) throws Exception {
        String gcc = Components.requireProgram("gcc", INSTALL);
        Path trace = build(dir, "native", List.of(gcc, "-std=gnu99", "-O3", "-march=native", "-ffp-contract=fast",
                "-Wall", "-Wextra", "-Werror"));
        RawTensorSteps.assertBitIdentical(TraceReader.read(trace), dir.resolve("native.raw"));
    }

    @Test
    void headerCompilesAsCppWithExternC(@TempDir Path dir) throws Exception {
        String gxx = Components.requireProgram("g++", INSTALL);
        Path trace = build(dir, "cpp", List.of(gxx, "-x", "c++", "-std=c++11", "-O2", "-Wall", "-Wextra", "-Werror",
                "-pedantic"));
        RawTensorSteps.assertBitIdentical(TraceReader.read(trace), dir.resolve("cpp.raw"));
        String symbols = run(dir, List.of("nm", dir.resolve("cpp").toString()));
        assertTrue(symbols.lines().anyMatch(l -> l.endsWith(" T layerwise_trace_record")),
                "layerwise_trace_record has C linkage");
    }

    @Test
    void refusesToReplaceAFileWithoutForceAndLeavesNothingHalfWritten(@TempDir Path dir) throws Exception {
        String gcc = Components.requireProgram("gcc", INSTALL);
        Path source = dir.resolve("refuse.c");
        Files.writeString(source, """
                #define LAYERWISE_TRACE_IMPLEMENTATION
                #include "layerwise_trace.h"
                #include <stdio.h>
                int main(int argc, char **argv) {
                    int32_t token = 1;
                    int64_t shape[1] = {2};
                    float v[2] = {1.0f, 2.0f};
                    char err[512];
                    layerwise_trace *t = layerwise_trace_open(argv[1], "x", "1", LAYERWISE_F32, &token, 1, NULL, 0);
                    int recorded = layerwise_trace_record(t, "embed", LAYERWISE_F32, shape, 1, v);
                    int bad = layerwise_trace_record(t, "q", 7, shape, 1, v);
                    (void)argc;
                    if (layerwise_trace_close(t, err, sizeof err) != 0) {
                        printf("%d %d %s\\n", recorded, bad, err);
                        return 1;
                    }
                    return 0;
                }
                """);
        Path program = dir.resolve("refuse");
        run(dir, List.of(gcc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I", header().toString(),
                source.toString(), "-o", program.toString()));
        Path existing = Files.writeString(dir.resolve("mine.json"), "my file");
        Process p = new ProcessBuilder(program.toString(), existing.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertEquals("-1 -1 " + existing + ": exists; not replaced (open the trace with force = 1 to replace it)", out);
        assertEquals("my file", Files.readString(existing));

        Path fresh = dir.resolve("fresh.json");
        p = new ProcessBuilder(program.toString(), fresh.toString()).redirectErrorStream(true).start();
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("0 -1 " + fresh + ": not one of LAYERWISE_F32, _F16, _BF16, _F64: the dtype of step q", out);
        assertFalse(Files.exists(fresh), "nothing written after an error");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    private static Path header() {
        return Components.repoRoot().resolve("sdk/c");
    }

    /** Compiles the engine-like program with {@code compiler}, runs it; returns its trace (raw values beside). */
    private static Path build(Path dir, String name, List<String> compiler, String... sketchKAndSeed)
            throws Exception {
        Path source = Path.of(CTraceCompatibilityIT.class.getResource("/ctrace/engine_like.c").toURI());
        Path program = dir.resolve(name);
        List<String> command = new ArrayList<>(compiler);
        command.addAll(List.of("-I", header().toString(), source.toString(), "-o", program.toString()));
        run(dir, command);
        Path trace = dir.resolve(name + ".json");
        List<String> runIt = new ArrayList<>(List.of(program.toString(), trace.toString(),
                dir.resolve(name + ".raw").toString()));
        runIt.addAll(List.of(sketchKAndSeed));
        run(dir, runIt);
        return trace;
    }

    private static String run(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
