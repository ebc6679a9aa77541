package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.compare.EngineTraces;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The compare, determinism and calibrate commands: exit statuses, one-line errors, report files. */
class CompareCommandsTest {
    @TempDir
    static Path tmp;
    static Path clean32;
    static Path clean32b;
    static Path clean16;
    static Path silu;
    static Path bos;
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void traces() {
        clean32 = write("clean32.json", engine.run(DType.FLOAT32));
        clean32b = write("clean32b.json", engine.run(DType.FLOAT32));
        clean16 = write("clean16.json", engine.run(DType.FLOAT16));
        silu = write("silu.json", engine.run(DType.FLOAT32, "layers.0.silu_gate=zero"));
        bos = write("bos.json", EngineTraces.withBos(engine.run(DType.FLOAT32)));
    }

    static Path write(String name, Trace t) {
        Path p = tmp.resolve(name);
        TraceWriter.write(t, p, AtomicFiles.Overwrite.ALLOW);
        return p;
    }

    static Run run(String... args) {
        CommandLine cl = LayerwiseCli.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void exitStatuses() {
        Path dir = tmp.resolve("reports");
        assertEquals(0, run("compare", clean32.toString(), clean16.toString(), "--report-dir", dir + "/a").exit());
        Run fail = run("compare", clean32.toString(), silu.toString(), "--report-dir", dir + "/b");
        assertEquals(1, fail.exit());
        assertTrue(fail.out().contains("layerwise compare: FAIL: first divergence at layers.0.silu_gate"), fail.out());
        assertTrue(fail.out().contains("diagnosis: ZERO_OUTPUT at layers.0.silu_gate"), fail.out());
        Run missing = run("compare", clean32.toString(), tmp.resolve("nope.json").toString(), "--report-dir", dir + "/c");
        assertEquals(2, missing.exit());
        assertEquals("layerwise: " + tmp.resolve("nope.json") + ": no such file\n", missing.err());
        Run bosRun = run("compare", clean32.toString(), bos.toString(), "--report-dir", dir + "/d");
        assertEquals(3, bosRun.exit());
        assertTrue(bosRun.out().contains("not comparable: candidate has 7 tokens, reference 6: extra token 1 (BOS) at "
                + "position 0"), bosRun.out());
    }

    @Test
    void notComparableStillWritesAReport() throws Exception {
        Path dir = tmp.resolve("nc");
        assertEquals(3, run("compare", clean32.toString(), bos.toString(), "--report-dir", dir.toString(),
                "--format", "json,md").exit());
        var json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertEquals("not_comparable", json.get("verdict").asText());
        assertTrue(json.get("not_comparable").asText().contains("extra token 1 (BOS)"));
        assertTrue(Files.notExists(dir.resolve("report.html")));
    }

    @Test
    void badOptionsAreOneLineErrors() {
        Run f = run("compare", clean32.toString(), clean16.toString(), "--format", "pdf", "--report-dir",
                tmp.resolve("x").toString());
        assertEquals(2, f.exit());
        assertEquals("layerwise: --format: unknown report kind 'pdf' (expected a comma-separated list of md, html, "
                + "json, junit)\n", f.err());
        Run p = run("compare", clean32.toString(), clean16.toString(), "--profile", clean32.toString(), "--report-dir",
                tmp.resolve("y").toString());
        assertEquals(2, p.exit());
        assertEquals("layerwise: " + clean32 + ": format: expected \"layerwise-tolerance-profile\", got "
                + "\"layerwise-trace\"\n", p.err());
    }

    @Test
    void calibrateThenCompareWithTheProfile() {
        Path profile = tmp.resolve("profile.json");
        Run c = run("calibrate", clean32.toString(), clean32b.toString(), "--out", profile.toString(), "--margin", "2");
        assertEquals(0, c.exit(), c.err());
        assertTrue(Files.exists(profile));
        Run again = run("calibrate", clean32.toString(), clean32b.toString(), "--out", profile.toString());
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("already exists; refusing to overwrite (use --force)"), again.err());
        assertEquals(0, run("calibrate", clean32.toString(), clean32b.toString(), "--out", profile.toString(),
                "--force").exit());
        assertEquals(0, run("compare", clean32.toString(), clean32b.toString(), "--profile", profile.toString(),
                "--report-dir", tmp.resolve("p1").toString()).exit());
        assertEquals(1, run("compare", clean32.toString(), silu.toString(), "--profile", profile.toString(),
                "--report-dir", tmp.resolve("p2").toString()).exit());
    }

    @Test
    void determinismCommand() throws Exception {
        Path dir = tmp.resolve("det");
        Path clean32c = write("clean32c.json", engine.run(DType.FLOAT32));
        Run same = run("determinism", clean32.toString(), clean32b.toString(), clean32c.toString(), "--report-dir",
                dir.toString());
        assertEquals(0, same.exit(), same.err());
        assertTrue(same.out().startsWith("layerwise determinism: DETERMINISTIC over 3 runs"), same.out());
        Run diff = run("determinism", clean32.toString(), silu.toString(), "--report-dir", dir.toString());
        assertEquals(1, diff.exit());
        var json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertEquals("layers.0.silu_gate", json.get("first_nondeterministic").asText());
        assertEquals(2, run("determinism", clean32.toString()).exit());
    }
}
