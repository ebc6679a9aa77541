package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.compare.EngineTraces;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.model.safetensors.RawSafetensors;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Producer;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Names from traces and checkpoints that carry terminal escape sequences never reach the terminal raw. */
class HostileConsoleTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();

    static final String ESCAPES = "\u001b[2J\u001b[31mred\u001b]0;title\u0007\r\u202e";

    @TempDir
    Path dir;

    private Path hostileTrace(String file, String... inject) {
        Trace t = engine.run(DType.FLOAT32, inject);
        List<Step> steps = t.steps().stream().map(s -> !s.name().equals("layers.0.silu_gate") ? s
                : new Step(ESCAPES + "silu", s.shape(), s.dtype(), s.stats(), s.rowSums(), s.rowSumSq(), s.sketch(),
                        s.sha256())).toList();
        Producer p = t.producer();
        Trace hostile = new Trace(new Producer(ESCAPES + "engine", p.version(), p.device(), p.attnImplementation(),
                p.extra()), t.model(), t.dtype(), t.input(), t.sketch(), steps, t.topK(), null);
        Path out = dir.resolve(file);
        TraceWriter.write(hostile, out, AtomicFiles.Overwrite.REFUSE);
        return out;
    }

    @Test
    void compareAndDeterminismPrintEscapesVisibly() {
        Path ref = hostileTrace("ref.json");
        Path cand = hostileTrace("cand.json", "layers.0.silu_gate=zero");
        CliRun compare = CliRun.of("compare", ref.toString(), cand.toString(), "--report-dir",
                dir.resolve("r1").toString());
        assertEquals(1, compare.exitCode(), compare.err());
        assertNoControlCharacters(compare.out() + compare.err());
        assertTrue(compare.out().contains("\\u001b[31mred"), compare.out());
        CliRun determinism = CliRun.of("determinism", ref.toString(), cand.toString(), "--report-dir",
                dir.resolve("r2").toString());
        assertNoControlCharacters(determinism.out() + determinism.err());
    }

    @Test
    void errorMessagesQuotingATraceAreEscaped() throws Exception {
        Path bad = dir.resolve("bad.json");
        java.nio.file.Files.writeString(bad, new ObjectMapper().writeValueAsString(Map.of("format", "layerwise-trace",
                "version", 1, "dtype", "float32", "input", Map.of("token_ids", List.of(1)),
                "steps", List.of(Map.of("name", ESCAPES, "shape", List.of(1), "dtype", "float32",
                        "stats", Map.of("sum", "lots"))))));
        CliRun r = CliRun.of("compare", bad.toString(), bad.toString(), "--report-dir", dir.resolve("r").toString());
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertNoControlCharacters(r.out() + r.err());
    }

    @Test
    void inspectPrintsTensorNamesAndMetadataWithEscapesVisible() throws Exception {
        String name = "evil\\u001b[31m\\u202e";   // JSON escapes: the header holds the raw characters
        Path file = RawSafetensors.write(dir.resolve("evil.safetensors"), "{\"__metadata__\":{\"note\":\"" + name
                + "\"},\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        CliRun table = CliRun.of("inspect", file.toString());
        assertEquals(0, table.exitCode(), table.err());
        assertNoControlCharacters(table.out() + table.err());
        assertTrue(table.out().contains("evil\\u001b[31m\\u202e"), table.out());
        CliRun json = CliRun.of("inspect", "--json", file.toString());
        assertEquals(0, json.exitCode(), json.err());
        assertNoControlCharacters(json.out());
        assertEquals("evil\u001b[31m\u202e", new ObjectMapper().readTree(json.out()).get("files").get(0)
                .get("tensors").get(0).get("name").asText(), "--json keeps the name exactly, as JSON escapes");
    }

    /** Line breaks are the only control characters the console may see. */
    static void assertNoControlCharacters(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = Character.getType(c) == Character.CONTROL && c != '\n';
            boolean bidi = (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
            if (control || bidi) {
                throw new AssertionError("U+" + String.format("%04X", (int) c) + " at " + i + " in:\n" + text);
            }
        }
    }
}
