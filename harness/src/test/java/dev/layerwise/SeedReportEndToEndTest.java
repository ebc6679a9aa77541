package dev.layerwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.cli.LayerwiseCli;
import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.compare.Verdict;
import dev.layerwise.compare.diagnosis.DiagnosisCode;
import dev.layerwise.importer.ImporterFixtures;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The motivating story, end to end with the real files: import both tables of the seed report
 * (test resource importer/seed-report-tables.md) with {@code layerwise import}, compare them with {@code layerwise compare}, and the report
 * must say what the seed's author found by hand: the FFN of layer 0 adds nothing because silu_gate is exactly 0 from a
 * non-zero gate, the logits are non-finite, the embedding agrees.
 */
class SeedReportEndToEndTest {
    /** The diagnoses the seed's author reached, as (code, step). */
    static final List<String> AUTHORS_CONCLUSION = List.of("ZERO_FROM_NONZERO_INPUT layers.0.silu_gate",
            "FFN_INEFFECTIVE layers.0.out", "NON_FINITE logits");

    @TempDir
    Path dir;

    private Path importSeedTable(String table) {
        Path out = dir.resolve("seed-table-" + table + ".json");
        int exit = LayerwiseCli.run("import", "--from", "seed-markdown", ImporterFixtures.seedReport().toString(),
                "--table", table, "--out", out.toString());
        assertEquals(0, exit, "import --table " + table);
        return out;
    }

    private static List<String> diagnoses(Comparison c) {
        return c.diagnoses().stream().map(d -> d.code() + " " + d.step()).toList();
    }

    @Test
    void importedSeedTablesCompareToTheAuthorsConclusion() throws Exception {
        Path ref = importSeedTable("1");
        Path cand = importSeedTable("2");
        Path report = dir.resolve("report");
        assertEquals(1, LayerwiseCli.run("compare", ref.toString(), cand.toString(), "--report-dir", report.toString()));

        JsonNode json = new ObjectMapper().readTree(report.resolve("report.json").toFile());
        assertEquals("fail", json.get("verdict").asText());
        assertEquals("layers.0.out", json.get("first_divergence").asText());
        List<String> codes = json.get("diagnoses").valueStream().map(d -> d.get("code").asText() + " "
                + d.get("step").asText()).toList();
        assertEquals(AUTHORS_CONCLUSION, codes);

        String md = Files.readString(report.resolve("report.md"));
        assertTrue(md.contains("# Layerwise comparison: FAIL, divergence at `layers.0.out`"), md);
        assertTrue(md.contains("FFN ineffective in layer 0: `layers.0.out` has the same sum 8.3515625 as "
                + "`layers.0.resid_mid`, so ffn_out contributes nothing"), md);
        assertTrue(md.contains("`layers.0.silu_gate` is exactly 0 (sum 0) from a non-zero `layers.0.gate` (sum -7884)"),
                md);
        assertTrue(md.contains("`logits` non-finite in the candidate (sum inf)"), md);
        String embed = row(md, "embed");
        assertTrue(embed.contains("| 3.660156 | 3.673828125 |") && embed.contains("within tolerance")
                && embed.contains("low confidence"), embed);
        // the reference's last-token logits pair with the candidate's whole logits: one row, not two
        String logits = row(md, "logits");
        assertTrue(logits.contains("| last row: -34784 | inf |") && logits.contains("the candidate is non-finite"),
                logits);
        assertTrue(md.lines().noneMatch(l -> l.startsWith("| logits.last_row |")), md);
        assertTrue(md.contains("| top prediction | 26012 (5.8203) | 29414 (7.26) |"), md);

        JsonNode logitsJson = json.get("steps").valueStream().filter(s -> s.get("name").asText().equals("logits"))
                .findFirst().orElseThrow();
        assertEquals("logits.last_row", logitsJson.get("reference_step").asText());
        assertEquals(37, logitsJson.get("compared_row").asInt());
        assertTrue(Files.readString(report.resolve("report.html")).contains("<svg"));
        assertTrue(Files.readString(report.resolve("junit.xml")).contains("name=\"layers.0.out\""));
    }

    /**
     * The Candle JSON dump (tensorlogic's candle_1layer_reference.json) is the same reference run as the seed's first
     * table, with the layer output dropped as mislabelled (docs/importers.md): against the TensorLogic table it is
     * comparable and reaches the same diagnoses. Without a layer output in the reference the first failing step is
     * the logits.
     */
    @Test
    void candleJsonReferenceReachesTheSameConclusion() throws Exception {
        Path candle = dir.resolve("candle.json");
        assertEquals(0, LayerwiseCli.run("import", "--from", "tensorlogic-json",
                ImporterFixtures.candleJson().toString(), "--out", candle.toString()));
        Trace reference = TraceReader.read(candle);
        Trace tensorLogic = TraceReader.read(importSeedTable("2"));

        Comparison c = TraceComparator.create().compare(reference, tensorLogic);
        assertTrue(c.comparable(), c::notComparable);
        assertEquals(1, c.exitCode());
        assertEquals(AUTHORS_CONCLUSION, diagnoses(c));
        assertEquals(diagnoses(TraceComparator.create().compare(TraceReader.read(importSeedTable("1")), tensorLogic)),
                diagnoses(c));
        assertEquals("logits", c.firstDivergence());
        assertEquals(Verdict.LOW_CONFIDENCE, c.step("embed").orElseThrow().verdict());
        assertEquals(Verdict.LOW_CONFIDENCE, c.step("final_norm").orElseThrow().verdict());
        StepResult logits = c.step("logits").orElseThrow();
        assertEquals("logits.last_row", logits.reference().name());
        assertEquals(DiagnosisCode.NON_FINITE, c.diagnosesFor("logits").getFirst().code());
    }

    private static String row(String md, String step) {
        return md.lines().filter(l -> l.startsWith("| " + step + " |")).findFirst().orElseThrow(() -> new AssertionError(
                "no row for " + step + " in\n" + md));
    }
}
