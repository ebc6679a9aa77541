package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticCheckpointWriter;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void synthesize() {
        model = dir.resolve("tiny");
        new SyntheticCheckpointWriter().write(SyntheticModel.of(Preset.parse("tiny"), 1, DType.FLOAT16), model, false);
    }

    /** Runs the CLI in-process; returns {exit code, stdout, stderr}. */
    static synchronized List<Object> cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = LayerwiseCli.newCommandLine().execute(args);
            System.out.flush();
            System.err.flush();
            return List.of(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void writesATraceOfTheDefaultPromptInTheCheckpointsDtype() {
        Path out = dir.resolve("run.json");
        List<Object> r = cli("run", "--model", model.toString(), "--threads", "2", "--out", out.toString());
        assertEquals(0, r.get(0), r.toString());
        Trace t = TraceReader.read(out);
        assertEquals(DType.FLOAT16, t.dtype());
        assertEquals(38, t.input().tokenIds().length);
        assertEquals(17, t.input().tokenIds()[0]); // 529 mod 512
        assertEquals("synthetic:tiny/seed=1", t.model().source());
        assertEquals(37, t.steps().size());
        assertTrue(((String) r.get(1)).startsWith("wrote " + out), r.toString());
        // an existing trace is kept unless --force
        List<Object> again = cli("run", "--model", model.toString(), "--out", out.toString());
        assertEquals(2, again.get(0));
        assertTrue(((String) again.get(2)).contains("already exists; refusing to overwrite (use --force)"));
        assertEquals(0, cli("run", "--model", model.toString(), "--out", out.toString(), "--force",
                "--engine", "oracle").get(0));
        assertEquals(DType.FLOAT64, TraceReader.read(out).dtype());
    }

    @Test
    void takesTokensAndDtypeFromOptionsOrAnotherTrace() {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        assertEquals(0, cli("run", "--model", model.toString(), "--tokens", "1 2 3", "--dtype", "bf16",
                "--out", a.toString()).get(0));
        Trace ta = TraceReader.read(a);
        assertEquals(DType.BFLOAT16, ta.dtype());
        assertEquals(List.of(1, 2, 3), java.util.Arrays.stream(ta.input().tokenIds()).boxed().toList());
        assertEquals(0, cli("run", "--model", model.toString(), "--tokens-from", a.toString(), "--dtype", "bf16",
                "--threads", "1", "--out", b.toString()).get(0));
        Trace tb = TraceReader.read(b);
        assertEquals(ta.steps().get(36).sha256(), tb.steps().get(36).sha256());
    }

    @Test
    void badInputIsOneLineWithExitTwoAndWritesNothing() {
        Path out = dir.resolve("never.json");
        List<Object> vocab = cli("run", "--model", model.toString(), "--tokens", "1 600 2", "--out", out.toString());
        assertEquals(2, vocab.get(0));
        assertTrue(((String) vocab.get(2)).contains("--tokens: position 1: token id 600 is outside the vocabulary"
                + " (vocab_size 512)"), (String) vocab.get(2));
        List<Object> inject = cli("run", "--model", model.toString(), "--inject", "layers.9.up=zero", "--out",
                out.toString());
        assertEquals(2, inject.get(0));
        List<Object> engine = cli("run", "--model", model.toString(), "--engine", "gpu", "--out", out.toString());
        assertEquals(2, engine.get(0));
        assertTrue(((String) engine.get(2)).contains("unknown engine 'gpu'"), engine.toString());
        List<Object> noModel = cli("run", "--model", dir.resolve("nope").toString(), "--out", out.toString());
        assertEquals(2, noModel.get(0));
        assertFalse(Files.exists(out));
    }

    @Test
    void singleFileOutputsNeverCreateFoldersNorReplaceOne() throws Exception {
        Path missing = dir.resolve("nonexistent/dir/x.json");
        List<Object> r = cli("run", "--model", model.toString(), "--out", missing.toString());
        assertEquals(2, r.get(0));
        assertEquals("layerwise: " + missing + ": folder " + missing.getParent() + " does not exist (Layerwise does"
                + " not create it; --force does not either)\n", r.get(2));
        assertFalse(Files.exists(dir.resolve("nonexistent")));

        Path folder = Files.createDirectories(dir.resolve("a-folder"));
        Files.writeString(folder.resolve("keep.txt"), "kept");
        List<Object> onFolder = cli("run", "--model", model.toString(), "--out", folder.toString(), "--force");
        assertEquals(2, onFolder.get(0));
        assertEquals("layerwise: " + folder + ": is a folder; refusing to replace it (not even with --force)\n",
                onFolder.get(2));
        assertEquals("kept", Files.readString(folder.resolve("keep.txt")));
    }

    @Test
    void nonFiniteValuesStillWriteTheTraceAndSayWhere() {
        Path out = dir.resolve("nan.json");
        List<Object> r = cli("run", "--model", model.toString(), "--inject", "layers.1.gate=nan", "--out",
                out.toString());
        assertEquals(0, r.get(0));
        assertTrue(Files.exists(out));
        assertTrue(((String) r.get(2)).contains("non-finite values first appear at layers.1.gate"), (String) r.get(2));
    }
}
