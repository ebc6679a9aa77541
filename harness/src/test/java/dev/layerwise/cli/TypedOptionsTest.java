package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.report.ReportFormat;
import java.util.EnumSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every typed option refuses a bad value while the command line is parsed, before any file is read: one line
 * "layerwise: --option: cause" and exit status 2, whichever command the option belongs to.
 */
class TypedOptionsTest {
    static Stream<Arguments> badValues() {
        String out = "/nonexistent-layerwise/out.json";
        return Stream.of(
                Arguments.of(new String[] {"run", "--model", "m", "--engine", "gpu", "--out", out},
                        "--engine: unknown engine 'gpu' (expected cpu, oracle, opencl)"),
                Arguments.of(new String[] {"demo", "--engine", "cuda"},
                        "--engine: unknown engine 'cuda' (expected cpu, oracle, opencl)"),
                Arguments.of(new String[] {"rerun", "--model", "m", "--dtype", "int8"},
                        "--dtype: unknown dtype 'int8' (expected float32|float16|bfloat16|float64 or f32|f16|bf16|f64)"),
                Arguments.of(new String[] {"import", "--from", "seed-markdown", "x.md", "--out", out, "--dtype", "q4"},
                        "--dtype: unknown dtype 'q4' (expected float32|float16|bfloat16|float64 or f32|f16|bf16|f64)"),
                Arguments.of(new String[] {"run", "--model", "m", "--tokens", "1 2 x", "--out", out},
                        "--tokens: position 2: 'x' is not a token id (a non-negative integer)"),
                Arguments.of(new String[] {"import", "--from", "seed-markdown", "x.md", "--out", out, "--tokens", "[5, -1]"},
                        "--tokens: position 1: '-1' is not a token id (a non-negative integer)"),
                Arguments.of(new String[] {"compare", "a.json", "b.json", "--format", "md,pdf"},
                        "--format: unknown report kind 'pdf' (expected a comma-separated list of md, html, json, junit)"),
                Arguments.of(new String[] {"check", "--model", "m", "--reference", "r.json", "--format", "md,,html"},
                        "--format: an empty report kind in the list (expected a comma-separated list of md, html, json, junit)"),
                Arguments.of(new String[] {"rerun", "--engine-cmd", "x {out}", "--import-from", "gguf", "--tokens", "1"},
                        "--import-from: unknown format \"gguf\" (known: seed-markdown, tensorlogic-json, llamacpp-eval)"),
                Arguments.of(new String[] {"synth", "--preset", "huge", "--seed", "1", "--dtype", "f32", "--out", out},
                        "--preset: unknown preset 'huge' (expected tiny|small|tinyllama-1layer|tinyllama-1.1b)"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void aBadValueIsOneLineAndExitStatus2(String[] args, String message) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("layerwise: " + message + "\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void aListOptionKeepsItsDefaultAndAcceptsAnyOrder() {
        ReportOptions all = new ReportOptions();
        CommandLine cl = new CommandLine(all);
        cl.parseArgs();
        assertEquals(EnumSet.allOf(ReportFormat.class), all.formats());
        cl.parseArgs("--format", "json,MD");
        assertEquals(EnumSet.of(ReportFormat.MD, ReportFormat.JSON), all.formats());
    }
}
