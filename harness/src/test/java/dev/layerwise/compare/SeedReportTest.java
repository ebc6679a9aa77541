package dev.layerwise.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.cli.LayerwiseCli;
import dev.layerwise.compare.diagnosis.DiagnosisCode;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed report's own case must come out as its author concluded, from the sums alone. */
class SeedReportTest {

    @Test
    void comparisonReachesTheSeedAuthorsConclusions() {
        Comparison c = TraceComparator.create().compare(SeedTraces.reference(), SeedTraces.candidate());
        assertEquals(1, c.exitCode());
        assertEquals("layers.0.out", c.firstDivergence());
        assertEquals(Verdict.LOW_CONFIDENCE, c.step("embed").orElseThrow().verdict());
        assertEquals(Verdict.PROPAGATED, c.step("logits").orElseThrow().verdict());
        assertEquals(List.of(DiagnosisCode.ZERO_FROM_NONZERO_INPUT, DiagnosisCode.FFN_INEFFECTIVE,
                DiagnosisCode.NON_FINITE), c.diagnoses().stream().map(d -> d.code()).toList());
        assertEquals("layers.0.silu_gate", c.diagnoses().get(0).step());
        assertEquals("layers.0.out", c.diagnoses().get(1).step());
        assertEquals("logits", c.diagnoses().get(2).step());
        // the candidate-only steps are listed, not dropped
        assertEquals(12, c.steps().stream().filter(s -> s.reference() == null).count());
    }

    @Test
    void partialStepsCompareOnTheRowsBothKnow() {
        Trace ref = SeedTraces.reference();
        Comparison close = TraceComparator.create().compare(ref, withLogits(ref, SeedTraces.lastRowOnly("logits", SeedTraces.V, -34790.0)));
        StepResult logits = close.step("logits").orElseThrow();
        assertEquals(Verdict.LOW_CONFIDENCE, logits.verdict());
        assertEquals(6.0 / 34784.0, logits.metrics().sumOnlyDev(), 1e-12);

        double[] rows = new double[SeedTraces.T];
        java.util.Arrays.fill(rows, Double.NaN);
        rows[0] = 5;
        Step firstRowOnly = new Step("logits", new long[] {SeedTraces.T, SeedTraces.V}, DType.FLOAT16,
                Stats.sumOnly(Double.NaN), rows, null, null, null);
        StepResult none = TraceComparator.create().compare(ref, withLogits(ref, firstRowOnly)).step("logits").orElseThrow();
        assertEquals(Verdict.SKIPPED, none.verdict());
        assertEquals("nothing in common to compare", none.reason());
    }

    static Trace withLogits(Trace t, Step logits) {
        List<Step> steps = new java.util.ArrayList<>(t.steps());
        steps.set(steps.size() - 1, logits);
        return t.withSteps(steps);
    }

    @Test
    void markdownReportSaysWhatTheAuthorFound(@TempDir Path tmp) throws Exception {
        Path ref = tmp.resolve("candle.json");
        Path cand = tmp.resolve("tensorlogic.json");
        TraceWriter.write(SeedTraces.reference(), ref, AtomicFiles.Overwrite.REFUSE);
        TraceWriter.write(SeedTraces.candidate(), cand, AtomicFiles.Overwrite.REFUSE);
        Path dir = tmp.resolve("report");
        int exit = LayerwiseCli.run("compare", ref.toString(), cand.toString(), "--report-dir", dir.toString());
        assertEquals(1, exit);

        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("FFN ineffective in layer 0: `layers.0.out` has the same sum 8.3515625 as "
                + "`layers.0.resid_mid`, so ffn_out contributes nothing"), md);
        assertTrue(md.contains("`layers.0.silu_gate` is exactly 0 (sum 0) from a non-zero `layers.0.gate` (sum -7884)"), md);
        assertTrue(md.contains("`logits` non-finite in the candidate (sum inf)"), md);
        String embedRow = md.lines().filter(l -> l.startsWith("| embed |")).findFirst().orElseThrow();
        assertTrue(embedRow.contains("within tolerance") && embedRow.contains("3.660156 | 3.673828125"), embedRow);
        String logitsRow = md.lines().filter(l -> l.startsWith("| logits |")).findFirst().orElseThrow();
        assertTrue(logitsRow.contains("row 37: -34784") && logitsRow.contains("the candidate is non-finite"), logitsRow);
        assertTrue(md.contains("| top prediction | 26012 (5.8203) | 29414 (7.26) |"), md);

        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertEquals("fail", json.get("verdict").asText());
        assertEquals("layers.0.out", json.get("first_divergence").asText());
        assertEquals("low_confidence", json.get("steps").get(0).get("verdict").asText());
        assertEquals("FFN_INEFFECTIVE", json.get("diagnoses").get(1).get("code").asText());
        assertTrue(Files.readString(dir.resolve("report.html")).contains("<svg"));
        assertTrue(Files.readString(dir.resolve("junit.xml")).contains("name=\"layers.0.out\""));
    }
}
