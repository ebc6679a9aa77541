package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.importer.ImporterFixtures;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImportCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = LayerwiseCli.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void importsTheSeedReportAndPrintsTheSummary() {
        Path trace = dir.resolve("tl.json");
        int code = run("import", "--from", "seed-markdown", ImporterFixtures.seedReport().toString(),
                "--table", "TensorLogic", "--out", trace.toString());
        assertEquals(0, code, err.toString());
        String summary = out.toString();
        assertTrue(summary.contains("16 steps, 38 tokens, dtype float16"), summary);
        assertTrue(summary.contains("  x_norm (attn) -> layers.0.attn_norm"), summary);
        assertTrue(summary.contains("  silu_gate -> layers.0.silu_gate"), summary);
        assertTrue(summary.contains("assumptions:"), summary);
        Trace t = TraceReader.read(trace);
        assertEquals(0.0, t.step("layers.0.silu_gate").orElseThrow().stats().sum());
    }

    @Test
    void refusesToOverwriteWithoutForce() throws Exception {
        Path trace = dir.resolve("c.json");
        Files.writeString(trace, "keep");
        String json = ImporterFixtures.candleJson().toString();
        assertEquals(2, run("import", "--from", "tensorlogic-json", json, "--out", trace.toString()));
        assertEquals("layerwise: " + trace + ": already exists; refusing to overwrite (use --force)\n",
                err.toString().replace("\r", ""));
        assertEquals("keep", Files.readString(trace));
        assertEquals(0, run("import", "--from", "tensorlogic-json", json, "--out", trace.toString(), "--force"));
        assertEquals(774.0, TraceReader.read(trace).step("final_norm").orElseThrow().stats().sum());
        assertTrue(out.toString().contains("known tensorlogic quirk"), out.toString());
    }

    @Test
    void takesTokenIdsFromAnotherTrace() {
        Path candle = dir.resolve("candle.json");
        assertEquals(0, run("import", "--from", "tensorlogic-json",
                ImporterFixtures.candleJson().toString(), "--out", candle.toString()));
        Path llama = dir.resolve("llama.json");
        Path log = ImporterFixtures.llamaCppLog();
        assertEquals(2, run("import", "--from", "llamacpp-eval", log.toString(), "--tokens-from", candle.toString(),
                "--out", llama.toString()));
        assertTrue(err.toString().contains("the log evaluated 4 tokens but " + candle + " has 38"), err.toString());
        assertFalse(Files.exists(llama));
    }

    @Test
    void anUnknownFormatIsAOneLineError() {
        assertEquals(2, run("import", "--from", "onnx", "x.bin", "--out", dir.resolve("o.json").toString()));
        assertEquals("layerwise: --from: unknown format \"onnx\" (known: seed-markdown, tensorlogic-json, llamacpp-eval)\n",
                err.toString().replace("\r", ""));
    }

    @Test
    void aMissingFileNamesIt() {
        Path missing = dir.resolve("nope.md");
        assertEquals(2, run("import", "--from", "seed-markdown", missing.toString(), "--out",
                dir.resolve("o.json").toString()));
        assertEquals("layerwise: " + missing + ": no such file\n", err.toString().replace("\r", ""));
    }
}
