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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorLogicJsonImporterTest {
    @TempDir
    Path dir;

    private static ImportResult read(Path file, ImportOptions options) {
        return new TensorLogicJsonImporter().read(file, options);
    }

    @Test
    void importsTheCandleReferenceAndDetectsTheMislabelledLayerOutput() {
        ImportResult r = read(ImporterFixtures.candleJson(), ImportOptions.none());
        Trace t = r.trace();
        assertEquals(List.of("embed", "final_norm", "logits.last_row"), t.steps().stream().map(Step::name).toList());
        assertEquals(3.66015625, t.step("embed").orElseThrow().stats().sum());
        assertEquals(774.0, t.step("final_norm").orElseThrow().stats().sum());
        assertEquals(-34784.0, t.step("logits.last_row").orElseThrow().stats().sum());
        assertArrayEquals(new long[] {38, 2048}, t.step("embed").orElseThrow().shape(), "batch 1 dropped");
        assertArrayEquals(new long[] {1, 32000}, t.step("logits.last_row").orElseThrow().shape());
        assertEquals(List.of(37), r.notes().stepNotes().get("logits.last_row").get("rows"));

        assertEquals(1, r.notes().warnings().size());
        String warning = r.notes().warnings().get(0);
        assertTrue(warning.startsWith("layer_0.output_sum (774.0) equals final_norm.sum with identical first 3 values"),
                warning);
        assertTrue(warning.contains("known tensorlogic quirk"), warning);
        assertEquals(r.notes().warnings(), t.producer().extra().get("warnings"));
        assertTrue(r.notes().samples().containsKey("layer_0.output"), "the dropped output's samples are kept");

        assertEquals(10, t.topK().size());
        assertEquals(new TopLogit(26012, 5.8203125), t.topK().get(0));
        assertEquals(38, t.input().tokenIds().length);
        assertEquals(529, t.input().tokenIds()[0]);
        assertEquals(DType.FLOAT16, t.dtype());
        assertTrue(String.join("\n", r.notes().assumptions()).contains("no BOS (1) at position 0"));
    }

    @Test
    void keepsTheTransformersSamplesAsNotComparable() {
        ImportResult r = read(ImporterFixtures.transformersJson(), ImportOptions.none());
        Trace t = r.trace();
        assertEquals(List.of(), t.steps());
        assertEquals(List.of("intermediate_values.embedding", "intermediate_values.layer_0.attn_output",
                "intermediate_values.layer_0.layer_output", "intermediate_values.layer_0.mlp_output",
                "intermediate_values.layer_21_output", "intermediate_values.logits"),
                r.notes().samples().keySet().stream().sorted().toList());
        assertEquals(new TopLogit(29902, 19.5), t.topK().get(0));
        assertEquals(10, t.topK().size());
        assertEquals(38, t.input().tokenIds().length);
        assertTrue(r.notes().warnings().get(0).contains("no step is comparable; only top_k is"));
    }

    @Test
    void roundTripsThroughTheTraceReader() {
        ImportResult r = read(ImporterFixtures.candleJson(), ImportOptions.none());
        Path out = dir.resolve("candle.json");
        TraceWriter.write(r.trace(), out, AtomicFiles.Overwrite.REFUSE);
        Trace back = TraceReader.read(out);
        assertEquals(r.trace().steps(), back.steps());
        assertEquals(r.trace().topK(), back.topK());
        assertEquals(r.trace().input().tokenIds().length, back.input().tokenIds().length);
    }

    @Test
    void readsTheGeneralLayoutFamily() throws Exception {
        Path f = dir.resolve("dump.json");
        Files.writeString(f, """
                {"token_ids": [1, 2, 3], "dtype": "float32",
                 "embedding_sum": 1.5,
                 "layer_0": {"output_sum": 2.5, "output_shape": [1, 3, 8],
                             "mlp_output": {"sum": -0.25, "shape": [3, 8]}},
                 "layer_1_output": {"sum": "inf", "shape": [1, 3, 8]},
                 "rotary": {"sum": 4.0, "shape": [3, 4]},
                 "mystery_sum": 9.0,
                 "config": {"hidden_size": 8, "intermediate_size": 16, "num_attention_heads": 2,
                            "num_key_value_heads": 1, "vocab_size": 10}}
                """);
        ImportResult r = read(f, ImportOptions.none());
        Trace t = r.trace();
        assertEquals(DType.FLOAT32, t.dtype());
        assertArrayEquals(new long[] {3, 8}, t.step("embed").orElseThrow().shape(), "shape from the config");
        assertEquals(2.5, t.step("layers.0.out").orElseThrow().stats().sum());
        assertEquals(-0.25, t.step("layers.0.ffn_out").orElseThrow().stats().sum());
        assertEquals(Double.POSITIVE_INFINITY, t.step("layers.1.out").orElseThrow().stats().sum());
        assertArrayEquals(new long[] {3, 8}, t.step("layers.1.out").orElseThrow().shape());
        assertEquals(4.0, t.step("tensorlogic.rotary").orElseThrow().stats().sum(), "unknown with a shape: a step");
        assertEquals(9.0, r.notes().unmapped().get("mystery_sum"), "unknown without a shape: kept in extra");
    }

    @Test
    void aNonNumericSumNamesTheField() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"token_ids\": [1], \"layer_0\": {\"output_sum\": \"lots\"}}");
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> read(f, ImportOptions.none()));
        assertEquals(2, e.exitCode());
        assertEquals(f + ": layer_0.output_sum: expected a number, got \"lots\"", e.getMessage());
    }

    @Test
    void invalidJsonNamesTheLine() throws Exception {
        Path f = dir.resolve("broken.json");
        Files.writeString(f, "{\n\"token_ids\": [1,\n");
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> read(f, ImportOptions.none()));
        assertTrue(e.getMessage().startsWith(f + ": not valid JSON: "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" at line 3, column 1"), e.getMessage());
    }

    @Test
    void tokenIdsThatDisagreeWithTokensFromAreAnError() {
        int[] withBos = new int[39];
        withBos[0] = 1;
        System.arraycopy(TokenIds.tinyLlamaChatPrompt(), 0, withBos, 1, 38);
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> read(ImporterFixtures.candleJson(),
                ImportOptions.none().withTokens(withBos, "hf.json")));
        assertTrue(e.getMessage().contains("token_ids: differs from the token ids of hf.json (38 tokens, no BOS (1) "
                + "at position 0 vs 39 tokens, starting with BOS (1))"), e.getMessage());
    }
}
