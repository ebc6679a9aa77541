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
import dev.layerwise.trace.Producer;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Step names and producer fields are whatever a trace file says. Fed through every report format, hostile ones
 * (markup, links, table pipes, line breaks, terminal escape sequences, NUL, backticks, bidirectional overrides) must
 * come out as inert text: HTML and Markdown without raw markup, tables with their row and column counts, junit.xml
 * well-formed XML 1.0, the console free of control characters, report.json exact.
 */
class HostileNamesTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();

    /** Canonical step renamed in both traces -> hostile name. silu_gate is the step the fault zeroes. */
    static final Map<String, String> RENAMED = Map.of(
            "layers.0.silu_gate", "<script>alert(1)</script>",
            "layers.0.gated", "[click](javascript:alert(1))",
            "layers.0.ffn_out", "a | b | c",
            "layers.0.out", "x\n# injected heading\n| fake | row |",
            "layers.1.q", "\u001b[31mred\u001b[0m \u001b]0;title\u0007",
            "layers.1.k", "nul\u0000byte\rcarriage",
            "layers.1.v", "back`tick`s ``double``",
            "layers.1.up", "bidi \u202egnp.exe\u2066x\u2069");
    static final String HOSTILE_PRODUCER = "\u001b[2J<script>p()</script> | prod\n# h `x`";
    static final String CANDIDATE_ONLY = "<img src=x onerror=alert(1)>\u001b[5m | only";

    static Comparison hostile;
    static Comparison plain;
    static DeterminismResult hostileRuns;

    @BeforeAll
    static void compareHostileTraces() {
        Trace ref = renamed(engine.run(DType.FLOAT32), false);
        Trace cand = renamed(engine.run(DType.FLOAT32, "layers.0.silu_gate=zero"), true);
        hostile = TraceComparator.create().compare(ref, cand);
        plain = TraceComparator.create().compare(engine.run(DType.FLOAT32),
                engine.run(DType.FLOAT32, "layers.0.silu_gate=zero"));
        hostileRuns = DeterminismAnalyzer.analyze(List.of(ref, renamed(engine.run(DType.FLOAT32,
                "layers.0.silu_gate=perturb-ulp"), false)));
    }

    static Trace renamed(Trace t, boolean candidate) {
        List<Step> steps = new ArrayList<>();
        for (Step s : t.steps()) {
            String name = RENAMED.getOrDefault(s.name(), s.name());
            steps.add(new Step(name, s.shape(), s.dtype(), s.stats(), s.rowSums(), s.rowSumSq(), s.sketch(),
                    s.sha256()));
        }
        if (candidate) {
            steps.add(new Step(CANDIDATE_ONLY, new long[] {1}, DType.FLOAT32, Stats.sumOnly(1), null, null, null,
                    null));
        }
        Producer p = t.producer();
        Producer producer = new Producer(candidate ? HOSTILE_PRODUCER : p.name(), candidate ? "1\u001b[0m|2" : p.version(),
                p.device(), p.attnImplementation(), p.extra());
        return new Trace(producer, t.model(), t.dtype(), t.input(), t.sketch(), steps, t.topK(), null);
    }

    @Test
    void theHostileComparisonFailsAtTheRenamedSiluGateWithADiagnosisNamingIt() {
        assertEquals("<script>alert(1)</script>", hostile.firstDivergence());
        assertTrue(hostile.diagnoses().stream().anyMatch(d -> d.message().contains("<script>")), "names reach the text");
    }

    @Test
    void markdownHasNoMarkupLinksOrExtraRowsColumnsAndHeadings() {
        for (String md : List.of(MarkdownReport.render(hostile), MarkdownReport.render(hostileRuns))) {
            assertFalse(md.toLowerCase().contains("<script"), md);
            assertFalse(md.toLowerCase().contains("<img"), md);
            assertFalse(Pattern.compile("(?<!\\\\)\\]\\(").matcher(md).find(), "no link can form: " + md);
            assertNoControlCharacters(md, "report.md");
            assertEquals(List.of(), md.lines().filter(l -> l.startsWith("#"))
                    .filter(l -> !l.matches("#{1,2} (Layerwise (comparison|determinism): .*|Diagnoses|Steps|Notes)"))
                    .toList(), "only the report's own headings");
        }
        List<List<String>> table = table(MarkdownReport.render(hostile), "| step | reference |");
        long topRow = StepCells.topVerdict(hostile) == null ? 0 : 1;
        assertEquals(hostile.steps().size() + topRow, table.size() - 1, "one row per step (+ header)");
        table.forEach(row -> assertEquals(6, row.size(), () -> "columns of " + row));
        assertTrue(table.stream().anyMatch(r -> r.get(0).equals("&lt;script>alert(1)&lt;/script>")), table::toString);
        assertEquals(hostileRuns.steps().size() + 1, table(MarkdownReport.render(hostileRuns), "| step | identical |")
                .stream().filter(r -> r.size() == 7).count());
    }

    @Test
    void htmlHasNoMarkupFromTheTracesAndRendersNamesInDiagnosesAsCode() {
        for (String html : List.of(HtmlReport.render(hostile), HtmlReport.render(hostileRuns))) {
            assertFalse(Pattern.compile("<(script|img|iframe|a)\\b", Pattern.CASE_INSENSITIVE).matcher(html).find());
            assertFalse(html.contains("javascript:alert(1)\""), "never an attribute value");
            assertNoControlCharacters(html, "report.html");
        }
        String html = HtmlReport.render(hostile);
        assertTrue(html.contains("<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"), "a hostile name as code");
    }

    @Test
    void diagnosesRenderInlineCodeAsCodeElementsInHtml() {
        String html = HtmlReport.render(plain);
        String diagnoses = html.substring(html.indexOf("<h2>Diagnoses</h2>"), html.indexOf("<h2>Charts</h2>"));
        assertFalse(diagnoses.contains("`"), diagnoses);
        assertTrue(diagnoses.contains(": <code>layers.0.silu_gate</code> is all zeros"), diagnoses);
        String steps = html.substring(html.indexOf("<h2>Steps</h2>"));
        assertFalse(steps.contains("`"), "the diagnosis column too");
    }

    @Test
    void junitXmlIsWellFormedAndKeepsTheNamesReadable() throws Exception {
        for (String xml : List.of(JunitReport.render(hostile), JunitReport.render(hostileRuns))) {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            NodeList cases = doc.getElementsByTagName("testcase");
            List<String> names = new ArrayList<>();
            for (int i = 0; i < cases.getLength(); i++) {
                names.add(((Element) cases.item(i)).getAttribute("name"));
            }
            assertTrue(names.contains("\\u001b[31mred\\u001b[0m \\u001b]0;title\\u0007"), names::toString);
            assertTrue(names.contains("nul\\u0000byte\\rcarriage"), names::toString);
            assertTrue(names.contains("<script>alert(1)</script>"), "markup is text in XML: " + names);
        }
    }

    @Test
    void jsonIsValidAndExact() throws Exception {
        String json = JsonReport.render(hostile);
        assertNoControlCharacters(json, "report.json");
        JsonNode j = new ObjectMapper().readTree(json);
        List<String> names = j.get("steps").valueStream().map(s -> s.get("name").asText()).toList();
        assertTrue(names.containsAll(RENAMED.values()), "report.json keeps names exactly");
        assertTrue(names.contains(CANDIDATE_ONLY));
        assertEquals(HOSTILE_PRODUCER, j.get("candidate").get("producer").get("name").asText());
        new ObjectMapper().readTree(JsonReport.render(hostileRuns));
    }

    @Test
    void theConsoleSummaryCarriesNoControlCharacters() {
        StringWriter out = new StringWriter();
        ConsoleSummary.print(hostile, new PrintWriter(out));
        ConsoleSummary.print(hostileRuns, new PrintWriter(out));
        assertNoControlCharacters(out.toString(), "console");
        assertTrue(out.toString().contains("\\u001b[31mred"), out.toString());
        assertTrue(out.toString().contains("bidi \\u202egnp.exe"), out.toString());
    }

    @Test
    void statusMarksArePlainTextInTextFormatsAndSvgInHtml() {
        String md = MarkdownReport.render(plain);
        StringWriter console = new StringWriter();
        ConsoleSummary.print(plain, new PrintWriter(console));
        for (String text : List.of(md, console.toString(), HtmlReport.render(plain))) {
            assertFalse(Pattern.compile("[\u2705\u274c\u25b3]").matcher(text).find(), "no emoji status icons");
        }
        assertTrue(md.contains("| X divergence |"), md);
        assertTrue(md.contains("| ok pass |"), md);
        assertTrue(HtmlReport.render(plain).contains("<svg class=icon"), "inline SVG icons");
    }

    /** Anything but a line break that a terminal or an XML parser would act on. */
    static void assertNoControlCharacters(String text, String where) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\n' && SafeText.isUnsafe(c)) {
                throw new AssertionError(where + ": character U+" + String.format("%04X", (int) c) + " at " + i
                        + " near \"" + text.substring(Math.max(0, i - 30), Math.min(text.length(), i + 30)) + "\"");
            }
        }
    }

    /** The rows of the Markdown table whose header starts with {@code header}, split into cells. */
    static List<List<String>> table(String md, String header) {
        List<String> lines = md.lines().toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(header)) {
                start = i;
                break;
            }
        }
        assertTrue(start >= 0, "no table " + header + " in\n" + md);
        List<List<String>> rows = new ArrayList<>();
        rows.add(cells(lines.get(start)));
        for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            rows.add(cells(lines.get(i)));
        }
        return rows;
    }

    /** GitHub-flavoured table cells: split at pipes not escaped by a backslash. */
    static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        String inner = row.strip();
        inner = inner.substring(1, inner.endsWith("|") && !inner.endsWith("\\|") ? inner.length() - 1 : inner.length());
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '\\' && i + 1 < inner.length()) {
                cell.append(c).append(inner.charAt(++i));
            } else if (c == '|') {
                cells.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString().strip());
        return cells;
    }
}
