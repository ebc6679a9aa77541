package dev.layerwise.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.TopLogit;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import dev.layerwise.trace.TraceWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedMarkdownImporterTest {
    @TempDir
    Path dir;

    private static Trace importTable(String table) {
        return new SeedMarkdownImporter().read(ImporterFixtures.seedReport(), ImportOptions.none().withTable(table))
                .trace();
    }

    @Test
    void importsTheTensorLogicTableOfTheSeedReport() {
        Trace t = importTable("TensorLogic");
        assertEquals(List.of("embed", "layers.0.attn_norm", "layers.0.q", "layers.0.k", "layers.0.v",
                "layers.0.attn_out", "layers.0.resid_mid", "layers.0.ffn_norm", "layers.0.gate", "layers.0.up",
                "layers.0.silu_gate", "layers.0.gated", "layers.0.ffn_out", "layers.0.out", "final_norm", "logits"),
                t.steps().stream().map(Step::name).toList());
        assertEquals(3.673828125, t.step("embed").orElseThrow().stats().sum());
        assertEquals(-1040.0, t.step("layers.0.k").orElseThrow().stats().sum());
        assertEquals(0.0, t.step("layers.0.silu_gate").orElseThrow().stats().sum());
        assertEquals(8.3515625, t.step("layers.0.out").orElseThrow().stats().sum(), "bold value parsed");
        assertEquals(Double.POSITIVE_INFINITY, t.step("logits").orElseThrow().stats().sum());
        assertEquals(List.of(new TopLogit(29414, 7.26)), t.topK());
        assertEquals(DType.FLOAT16, t.dtype());
        assertArrayEquals(new long[] {38, 2048}, t.step("embed").orElseThrow().shape());
        assertArrayEquals(new long[] {38, 2048}, t.step("layers.0.q").orElseThrow().shape());
        assertArrayEquals(new long[] {38, 256}, t.step("layers.0.k").orElseThrow().shape());
        assertArrayEquals(new long[] {38, 5632}, t.step("layers.0.silu_gate").orElseThrow().shape());
        assertArrayEquals(new long[] {38, 32000}, t.step("logits").orElseThrow().shape());
        assertArrayEquals(TokenIds.tinyLlamaChatPrompt(), t.input().tokenIds());
    }

    @Test
    void importsTheCandleTableWithItsLastTokenLogitsAsAPartialStep() {
        ImportResult r = new SeedMarkdownImporter().read(ImporterFixtures.seedReport(),
                ImportOptions.none().withTable("1"));
        Trace t = r.trace();
        assertEquals(List.of("embed", "layers.0.out", "final_norm", "logits.last_row"),
                t.steps().stream().map(Step::name).toList());
        assertEquals(4.902344, t.step("layers.0.out").orElseThrow().stats().sum());
        Step last = t.step("logits.last_row").orElseThrow();
        assertEquals(-34784.0, last.stats().sum());
        assertArrayEquals(new long[] {1, 32000}, last.shape());
        Map<String, Object> note = r.notes().stepNotes().get("logits.last_row");
        assertEquals("logits", note.get("partial_of"));
        assertEquals(List.of(37), note.get("rows"));
        assertEquals(List.of(new TopLogit(26012, 5.8203)), t.topK());
    }

    @Test
    void statesItsAssumptionsInTheTrace() {
        ImportResult r = new SeedMarkdownImporter().read(ImporterFixtures.seedReport(),
                ImportOptions.none().withTable("2"));
        String assumptions = String.join("\n", r.notes().assumptions());
        assertTrue(assumptions.contains("38-token chat prompt"), assumptions);
        assertTrue(assumptions.contains("TinyLlama-1.1B"), assumptions);
        assertTrue(assumptions.contains("layer 0"), assumptions);
        assertEquals(r.notes().assumptions(), r.trace().producer().extra().get("assumptions"));
    }

    @Test
    void aFileWithSeveralTablesNeedsTableAndTheErrorListsThem() {
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> new SeedMarkdownImporter().read(ImporterFixtures.seedReport(), ImportOptions.none()));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("--table"), e.getMessage());
        assertTrue(e.getMessage().contains("1 = \"Candle参照値 (HuggingFace Transformers)\" (line 15)"), e.getMessage());
        assertTrue(e.getMessage().contains("2 = \"TensorLogic結果\" (line 25)"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void roundTripsThroughTheTraceReader() {
        ImportResult r = new SeedMarkdownImporter().read(ImporterFixtures.seedReport(),
                ImportOptions.none().withTable("TensorLogic"));
        Path out = dir.resolve("tl.json");
        TraceWriter.write(r.trace(), out, AtomicFiles.Overwrite.REFUSE);
        Trace back = TraceReader.read(out);
        assertEquals(r.trace().steps(), back.steps());
        assertEquals(r.trace().input(), back.input());
        assertEquals(r.trace().topK(), back.topK());
        assertEquals(DType.FLOAT16, back.dtype());
        @SuppressWarnings("unchecked")
        Map<String, Object> importer = (Map<String, Object>) back.producer().extra().get("importer");
        assertEquals("seed-markdown", importer.get("format"));
        assertEquals("TensorLogic結果", importer.get("table"));
    }

    @Test
    void tokensFromTheUserReplaceTheAssumedPromptAndMustMatchTheStatedCount() throws Exception {
        int[] ids = TokenIds.tinyLlamaChatPrompt();
        ids[0] = 7;
        Trace t = new SeedMarkdownImporter().read(ImporterFixtures.seedReport(),
                ImportOptions.none().withTable("1").withTokens(ids, "ref.json")).trace();
        assertEquals(7, t.input().tokenIds()[0]);
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> new SeedMarkdownImporter().read(
                ImporterFixtures.seedReport(), ImportOptions.none().withTable("1").withTokens(new int[] {1, 2}, "--tokens")));
        assertTrue(e.getMessage().contains("says 38 tokens but --tokens has 2"), e.getMessage());
    }

    private Path report(String body) throws Exception {
        Path f = dir.resolve("report.md");
        Files.writeString(f, "# Run\n\n- model: TinyLlama 1.1B (f16)\n- 38 tokens (no BOS)\n\n" + body);
        return f;
    }

    @Test
    void aNonNumericSumNamesTheFileAndLine() throws Exception {
        Path f = report("## Results\n\n| step | Sum |\n|---|---|\n| Embedding | 3.5 |\n| gate | twelve |\n");
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> new SeedMarkdownImporter().read(f, ImportOptions.none()));
        assertEquals(2, e.exitCode());
        assertEquals(f + ": line 11 (gate): sum: expected a number, got \"twelve\"", e.getMessage());
    }

    @Test
    void aMalformedRowNamesTheFileAndLine() throws Exception {
        Path f = report("## Results\n\n| step | Sum | state |\n|---|---|---|\n| Embedding | 3.5 |\n");
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> new SeedMarkdownImporter().read(f, ImportOptions.none()));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().startsWith(f + ": line 10: malformed table row: 2 cells"), e.getMessage());
    }

    @Test
    void parsesNonFiniteValuesAndKeepsUnknownRowsOutOfTheSteps() throws Exception {
        Path f = report("## Results\n\n| step | Sum |\n|---|---|\n| Embedding | -inf |\n| gate | nan |\n"
                + "| rotary cache | 12.5 |\n| Final norm | **790** |\n");
        ImportResult r = new SeedMarkdownImporter().read(f, ImportOptions.none());
        assertEquals(Double.NEGATIVE_INFINITY, r.trace().step("embed").orElseThrow().stats().sum());
        assertTrue(Double.isNaN(r.trace().step("layers.0.gate").orElseThrow().stats().sum()));
        assertEquals(790.0, r.trace().step("final_norm").orElseThrow().stats().sum());
        assertEquals(3, r.trace().steps().size());
        assertEquals(Map.of("rotary cache", 12.5), r.notes().unmapped());
    }

    @Test
    void withoutTokenIdsOrAKnownPromptItAsksForThem() throws Exception {
        Path f = dir.resolve("r.md");
        Files.writeString(f, "# Run (f32)\n\n| step | Sum |\n|---|---|\n| Embedding | 1 |\n");
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> new SeedMarkdownImporter().read(f, ImportOptions.none()));
        assertEquals(f + ": token ids: the report gives no token ids; pass --tokens \"ID ID ...\" or --tokens-from TRACE",
                e.getMessage());
    }
}
