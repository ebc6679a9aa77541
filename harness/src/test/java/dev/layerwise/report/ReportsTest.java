package dev.layerwise.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.DeterminismAnalyzer;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.compare.EngineTraces;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.numeric.DType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportsTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();
    static Comparison silu;

    @BeforeAll
    static void compareSiluFault() {
        silu = TraceComparator.create().compare(engine.run(DType.FLOAT32), engine.run(DType.FLOAT32, "layers.0.silu_gate=zero"));
    }


    @Test
    void htmlIsSelfContainedWithThreeJFreeSvgCharts() {
        String html = HtmlReport.render(silu);
        Matcher svg = Pattern.compile("<svg [^>]*xmlns:jfreesvg=").matcher(html);
        int charts = 0;
        while (svg.find()) {
            charts++;
        }
        assertEquals(3, charts, "error per step, error per layer, per-row error of the divergence");
        assertTrue(html.contains("Per-row error of layers.0.silu_gate"));
        assertFalse(Pattern.compile("<(script|link|img)\\b").matcher(html).find(), "no external resources");
        assertTrue(html.contains("<b>ZERO_OUTPUT</b> at <code>layers.0.silu_gate</code>"));
    }

    @Test
    void jsonCarriesVerdictsMetricsAndDiagnoses() throws Exception {
        JsonNode j = new ObjectMapper().readTree(JsonReport.render(silu));
        assertEquals("fail", j.get("verdict").asText());
        assertEquals("layers.0.silu_gate", j.get("first_divergence").asText());
        assertEquals(37, j.get("steps").size());
        JsonNode silu = j.get("steps").get(14);
        assertEquals("layers.0.silu_gate", silu.get("name").asText());
        assertEquals("fail", silu.get("verdict").asText());
        assertEquals(1.0, silu.get("candidate_zero_fraction").asDouble(), 0);
        assertEquals(0.0, silu.get("norm_ratio").asDouble(), 0);
        assertTrue(silu.get("tolerance").get("rel_l2").asDouble() > 0);
        assertEquals("propagated", j.get("steps").get(15).get("verdict").asText());
        assertEquals(true, j.get("steps").get(0).get("bit_identical").asBoolean());
        assertEquals("ZERO_OUTPUT", j.get("diagnoses").get(0).get("code").asText());
        assertEquals("layerwise-cpu", j.get("candidate").get("producer").get("name").asText());
    }

    @Test
    void junitHasOneTestcasePerStepAndFailuresWithDiagnoses() throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(
                new ByteArrayInputStream(JunitReport.render(silu).getBytes(StandardCharsets.UTF_8)));
        NodeList cases = doc.getElementsByTagName("testcase");
        assertEquals(37 + 1, cases.getLength(), "one per step and the coverage");
        NodeList failures = doc.getElementsByTagName("failure");
        long failing = silu.steps().stream().filter(s -> s.verdict().isFailing()).count();
        assertEquals(failing, failures.getLength());
        assertEquals(String.valueOf(failing), doc.getDocumentElement().getAttribute("failures"));
        Element first = (Element) failures.item(0);
        assertTrue(first.getAttribute("message").startsWith("fail: ") && first.getAttribute("message").contains("ZERO_OUTPUT"),
                first.getAttribute("message"));
    }

    @Test
    void aPreviousReportIsReplacedByTheChosenFormats(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("r");
        Reports.write(dir, EnumSet.allOf(ReportFormat.class), silu);
        assertEquals(List.of(".layerwise-output", "junit.xml", "report.html", "report.json", "report.md"), list(dir));
        Reports.write(dir, java.util.EnumSet.of(ReportFormat.MD), silu);
        assertEquals(List.of(".layerwise-output", "report.md"), list(dir));
        assertEquals(List.of("r"), list(tmp), "no temporary files or folders left behind");
    }

    @Test
    void determinismReportsNameTheFirstNondeterministicStep() throws Exception {
        DeterminismResult d = DeterminismAnalyzer.analyze(List.of(engine.run(DType.FLOAT32), engine.run(DType.FLOAT32)));
        JsonNode j = new ObjectMapper().readTree(JsonReport.render(d));
        assertEquals("deterministic", j.get("verdict").asText());
        assertTrue(j.get("first_nondeterministic").isNull());
        assertTrue(HtmlReport.render(d).contains("xmlns:jfreesvg="));
        assertTrue(MarkdownReport.render(d).contains("| embed | yes | sha256 | 0 |"));
    }

    private static List<String> list(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
