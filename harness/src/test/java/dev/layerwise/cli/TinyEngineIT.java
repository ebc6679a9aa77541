package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticCheckpointWriter;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A third-party engine written in C against the committed Hugging Face references: sdk/c/examples/tiny_engine.c
 * (a C99 Llama forward pass using layerwise_trace.h), compiled with gcc and run by {@code check --engine-cmd} on the
 * synthetic tiny checkpoint in each dtype. Clean it passes with every reference step compared; built with a planted
 * bug it fails at the bug's step; {@code rerun --engine-cmd} finds it deterministic. The Python example
 * (sdk/python/examples/tiny_engine.py) passes the float32 reference the same way.
 */
class TinyEngineIT {
    /** Built programs by name, shared by the tests (each is compiled once). */
    private static final Map<String, Path> PROGRAMS = new ConcurrentHashMap<>();

    @TempDir
    static Path bin;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"f32", "f16", "bf16"})
    void theCleanEnginePassesTheHfReferenceWithEveryStepCompared(String dtype) throws Exception {
        Path engine = compile("tiny_engine");
        CliRun r = check(engine, dtype);
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(r.out().contains("coverage: 37 of 37 reference steps compared"), r.out());
        Trace written = TraceReader.read(dir.resolve("runs/run-1/trace.json"));
        Trace reference = TraceReader.read(reference(dtype));
        assertEquals(reference.dtype(), written.dtype());
        assertEquals(reference.topK().get(0).tokenId(), written.topK().get(0).tokenId(),
                "the engine's most likely next token is Hugging Face's");
    }

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({
        "BUG_SILU_ZERO, f32, layers.0.silu_gate",
        "BUG_SILU_ZERO, bf16, layers.0.silu_gate",
        "BUG_NO_ATTN_SCALE, f16, layers.0.attn_probs",
        "BUG_NO_ATTN_SCALE, bf16, layers.0.attn_probs"})
    void aPlantedBugFailsAtItsStep(String bug, String dtype, String step) throws Exception {
        Path engine = compile("tiny_engine_" + bug.toLowerCase(), "-D" + bug);
        CliRun r = check(engine, dtype);
        assertEquals(1, r.exitCode(), r.err() + r.out());
        assertTrue(r.out().contains("first divergence at " + step), r.out());
    }

    /** The guide's complete Python example (sdk/python/examples/tiny_engine.py: numpy and the layerwise_trace package). */
    @Test
    void thePythonExampleEnginePassesTheF32Reference() {
        Path python = Components.requirePython();
        Path root = Components.repoRoot();
        CliRun r = CliRun.of("check", "--reference", reference("f32").toString(), "--model", synth("f32").toString(),
                "--engine-cmd", "env PYTHONPATH=" + root.resolve("sdk/python") + " " + python + " "
                        + root.resolve("sdk/python/examples/tiny_engine.py") + " {model} {tokens_csv} {out}",
                "--engine-dir", dir.resolve("runs").toString(), "--report-dir", dir.resolve("report").toString(),
                "--min-coverage", "1");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(r.out().contains("coverage: 37 of 37 reference steps compared"), r.out());
    }

    @Test
    void rerunFindsTheEngineDeterministic() throws Exception {
        Path engine = compile("tiny_engine");
        Path model = synth("f16");
        CliRun r = CliRun.of("rerun", "--model", model.toString(), "--tokens", "1 17 42 99 300 7", "--runs", "3",
                "--engine-cmd", engine + " {model} {tokens_csv} {out}", "--engine-dir", dir.resolve("reruns").toString(),
                "--report-dir", dir.resolve("rerun-report").toString());
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(r.out().contains("DETERMINISTIC over 3 runs"), r.out());
    }

    @Test
    void badInputIsOneLineFromTheEngine() throws Exception {
        Path engine = compile("tiny_engine");
        Path model = synth("f32");
        CliRun r = CliRun.of("rerun", "--model", model.toString(), "--tokens", "1 512", "--runs", "2",
                "--engine-cmd", engine + " {model} {tokens_csv} {out}", "--engine-dir", dir.resolve("bad").toString());
        assertEquals(2, r.exitCode(), r.out());
        assertTrue(r.err().contains("tiny_engine: tokens '1,512': item 2 is not a token id in 0..511"), r.err());
    }

    private CliRun check(Path engine, String dtype) {
        return CliRun.of("check", "--reference", reference(dtype).toString(), "--model", synth(dtype).toString(),
                "--engine-cmd", engine + " {model} {tokens_csv} {out}", "--engine-dir", dir.resolve("runs").toString(),
                "--report-dir", dir.resolve("report").toString(), "--min-coverage", "1");
    }

    private static Path reference(String dtype) {
        return Components.repoRoot().resolve("reference-dumps/tiny-seed1-" + dtype + ".json");
    }

    /** The synthetic tiny checkpoint (seed 1) the committed references were made from. */
    private Path synth(String dtype) {
        Path model = dir.resolve("tiny-" + dtype);
        if (!Files.isDirectory(model)) {
            DType d = switch (dtype) {
                case "f16" -> DType.FLOAT16;
                case "bf16" -> DType.BFLOAT16;
                default -> DType.FLOAT32;
            };
            new SyntheticCheckpointWriter().write(SyntheticModel.of(Preset.parse("tiny"), 1, d), model, false);
        }
        return model;
    }

    /** gcc, strict C99 with warnings as errors, as the guide builds it (once per program). */
    private static Path compile(String name, String... defines) throws IOException, InterruptedException {
        String gcc = Components.requireProgram("gcc", "apt-get install gcc");
        Path built = PROGRAMS.get(name);
        if (built != null) {
            return built;
        }
        Path root = Components.repoRoot();
        Path program = bin.resolve(name);
        List<String> command = new ArrayList<>(List.of(gcc, "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror",
                "-pedantic"));
        command.addAll(List.of(defines));
        command.addAll(List.of("-I", root.resolve("sdk/c").toString(),
                root.resolve("sdk/c/examples/tiny_engine.c").toString(), "-lm", "-o", program.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "gcc finished");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        PROGRAMS.put(name, program);
        return program;
    }
}
