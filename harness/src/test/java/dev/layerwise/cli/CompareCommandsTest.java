package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.compare.EngineTraces;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.numeric.DType;
import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import dev.layerwise.trace.TraceWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
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
    void comparesAGzipCompressedTraceLikeAPlainOne() throws Exception {
        Path gz = tmp.resolve("clean32.json.gz");
        try (var o = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(Files.readAllBytes(clean32));
        }
        Path dir = tmp.resolve("reports-gz");
        assertEquals(0, run("compare", gz.toString(), clean16.toString(), "--report-dir", dir + "/a").exit());
        Run fail = run("compare", gz.toString(), silu.toString(), "--report-dir", dir + "/b");
        assertEquals(1, fail.exit());
        assertTrue(fail.out().contains("first divergence at layers.0.silu_gate"), fail.out());
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

    /**
     * A candidate that records 3 of the 71 steps of the committed small reference: the console shows the compared
     * rows (not 40 "reference only" rows), and every report format says "3 of 71".
     */
    @Test
    void partialCoverageIsShownInEveryFormatAndMinCoverageGatesIt() throws Exception {
        Path refFile = Components.repoRoot().resolve("reference-dumps/small-seed1-f16.json");
        Trace ref = TraceReader.read(refFile);
        java.util.Set<String> kept = Set.of("layers.3.ffn_out", "final_norm", "logits");
        Path partial = write("partial.json", ref.withSteps(ref.steps().stream()
                .filter(st -> kept.contains(st.name())).toList()));
        Path dir = tmp.resolve("partial");
        Run r = run("compare", refFile.toString(), partial.toString(), "--report-dir", dir.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        String coverage = "coverage: 3 of 71 reference steps compared; not compared: embed; attn_norm, q, k, v, "
                + "q_rope, k_rope, attn_probs, attn_ctx, attn_out, resid_mid, ffn_norm, gate, up, silu_gate, gated, "
                + "out (layers 0-3); ffn_out (layers 0-2)";
        assertTrue(r.out().contains("\n  " + coverage + "\n"), r.out());
        for (String step : kept) {
            assertTrue(r.out().lines().anyMatch(l -> l.matches("  " + Pattern.quote(step)
                    + " +ok +pass .*")), step + " row missing:\n" + r.out());
        }
        assertTrue(r.out().lines().noneMatch(l -> l.contains("reference only")), r.out());
        assertTrue(Files.readString(dir.resolve("report.md")).contains("- **Coverage**: 3 of 71 reference steps"));
        assertTrue(Files.readString(dir.resolve("report.md")).startsWith(
                "# Layerwise comparison: PASS on 3 of 71 reference steps\n"));
        assertTrue(Files.readString(dir.resolve("report.html")).contains("<b>Coverage</b>: 3 of 71 reference steps"));
        var json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertEquals(3, json.get("coverage").get("compared").asInt());
        assertEquals(71, json.get("coverage").get("reference_steps").asInt());
        assertEquals(68, json.get("coverage").get("not_compared").size());
        String junit = Files.readString(dir.resolve("junit.xml"));
        assertTrue(junit.contains("<property name=\"coverage.compared\" value=\"3\"/>"), junit);
        assertTrue(junit.contains("<testcase classname=\"layerwise.compare\" name=\"coverage\"><system-out>"
                + coverage + "</system-out></testcase>"), junit);

        Run gated = run("compare", refFile.toString(), partial.toString(), "--min-coverage", "0.5", "--report-dir",
                tmp.resolve("gated").toString());
        assertEquals(3, gated.exit());
        assertTrue(gated.out().startsWith("layerwise compare: INSUFFICIENT_COVERAGE\n"), gated.out());
        assertTrue(gated.out().contains("  insufficient coverage: compared 3 of 71 reference steps (0.042), below "
                + "--min-coverage 0.5\n"), gated.out());
        Run bad = run("compare", refFile.toString(), partial.toString(), "--min-coverage", "1.5");
        assertEquals(2, bad.exit());
        assertEquals("layerwise: --min-coverage: expected a fraction in 0..1, got 1.5\n", bad.err());
    }

    @Test
    void aCandidateWithForeignNamesIsNotComparable() {
        Trace t = engine.run(DType.FLOAT32);
        Map<String, String> names = Map.of("layers.0.q", "layer.0.q", "embed", "embeddings",
                "logits", "lm_head");
        Path foreign = write("foreign.json", t.withSteps(t.steps().stream().filter(st -> names.containsKey(st.name()))
                .map(st -> st.withName(names.get(st.name()))).toList()));
        Run r = run("compare", clean32.toString(), foreign.toString(), "--report-dir", tmp.resolve("foreign").toString());
        assertEquals(3, r.exit());
        assertTrue(r.out().contains("not comparable: no reference step is matched by the candidate; candidate steps "
                + "without a reference partner: "), r.out());
        assertTrue(r.out().contains("lm_head (closest canonical name: logits)"), r.out());
    }
}
