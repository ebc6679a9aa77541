package dev.layerwise.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import dev.layerwise.trace.TraceWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaCppEvalImporterTest {
    private static final int[] TOKENS = {1, 15043, 3186, 29991};
    private static final String IND = " ".repeat(37);

    @TempDir
    Path dir;

    private static ImportResult read(Path file, int[] tokens) {
        return new LlamaCppEvalImporter().read(file, ImportOptions.none().withTokens(tokens, "--tokens"));
    }

    private static double sum(Trace t, String step) {
        return t.step(step).orElseThrow(() -> new AssertionError("no step " + step)).stats().sum();
    }

    @Test
    void mapsTheLlamaGraphNodesToCanonicalSteps() {
        ImportResult r = read(ImporterFixtures.llamaCppLog(), TOKENS);
        Trace t = r.trace();
        assertEquals(3.660156, sum(t, "embed"));
        assertEquals(82.875, sum(t, "layers.0.attn_norm"));
        assertEquals(29.21875, sum(t, "layers.0.q"), "Qcur-0 from MUL_MAT is q");
        assertEquals(31.402344, sum(t, "layers.0.q_rope"), "Qcur-0 from ROPE is q_rope");
        assertEquals(-1040.0, sum(t, "layers.0.k"));
        assertEquals(-1012.53125, sum(t, "layers.0.k_rope"));
        assertEquals(1.6875, sum(t, "layers.0.v"));
        assertEquals(128.0, sum(t, "layers.0.attn_probs"));
        assertEquals(3.972656, sum(t, "layers.0.attn_ctx"));
        assertEquals(4.707031, sum(t, "layers.0.attn_out"), "kqv_out as MUL_MAT of attn_output.weight is o_proj");
        assertEquals(8.351562, sum(t, "layers.0.resid_mid"));
        assertEquals(59.125, sum(t, "layers.0.ffn_norm"));
        assertEquals(-7884.0, sum(t, "layers.0.gate"));
        assertEquals(330.5, sum(t, "layers.0.up"));
        assertEquals(-3060.0, sum(t, "layers.0.silu_gate"));
        assertEquals(12.203125, sum(t, "layers.0.gated"));
        assertEquals(-3.449219, sum(t, "layers.0.ffn_out"));
        assertEquals(4.902344, sum(t, "layers.0.out"));
        assertEquals(DType.FLOAT32, t.step("embed").orElseThrow().dtype());
        assertArrayEquals(TOKENS, t.input().tokenIds());
    }

    @Test
    void reversesGgmlShapes() {
        Trace t = read(ImporterFixtures.llamaCppLog(), TOKENS).trace();
        assertArrayEquals(new long[] {4, 2048}, t.step("embed").orElseThrow().shape());
        assertArrayEquals(new long[] {4, 256}, t.step("layers.0.k").orElseThrow().shape());
        assertArrayEquals(new long[] {4, 2048}, t.step("layers.0.q_rope").orElseThrow().shape(), "{64, 32, 4} -> [4, 2048]");
        assertArrayEquals(new long[] {4, 5632}, t.step("layers.0.gate").orElseThrow().shape());
        assertArrayEquals(new long[] {32, 4, 4}, t.step("layers.0.attn_probs").orElseThrow().shape());
        assertArrayEquals(new long[] {32, 4, 256}, t.step("llamacpp.kq-0").orElseThrow().shape());
        assertArrayEquals(new long[] {1024}, t.step("llamacpp.k_cache_view-0 (copy of Kcur-0)").orElseThrow().shape());
        assertEquals(DType.FLOAT16, t.step("llamacpp.k_cache_view-0 (copy of Kcur-0)").orElseThrow().dtype());
    }

    @Test
    void theLastLayersOutputRowsBecomeLastRowSteps() {
        ImportResult r = read(ImporterFixtures.llamaCppLog(), TOKENS);
        Trace t = r.trace();
        assertTrue(t.step("final_norm").isEmpty());
        assertEquals(774.0, sum(t, "final_norm.last_row"));
        assertEquals(-34784.0, sum(t, "logits.last_row"));
        assertArrayEquals(new long[] {1, 32000}, t.step("logits.last_row").orElseThrow().shape());
        assertEquals(5.902344, sum(t, "layers.1.out.last_row"));
        assertEquals(5.707031, sum(t, "layers.1.attn_out"), "computed for all rows before inp_out_ids");
        Map<String, Object> note = r.notes().stepNotes().get("logits.last_row");
        assertEquals("logits", note.get("partial_of"));
        assertEquals(List.of(3), note.get("rows"));
    }

    @Test
    void marksQAndKAsPermutedAndRecordsNoSketchOrHash() {
        ImportResult r = read(ImporterFixtures.llamaCppLog(), TOKENS);
        for (String s : List.of("layers.0.q", "layers.0.k", "layers.0.q_rope", "layers.0.k_rope")) {
            assertEquals(LlamaCppEvalImporter.PERMUTED_NOTE, r.notes().stepNotes().get(s).get("layout"), s);
        }
        assertFalse(r.notes().stepNotes().containsKey("layers.0.v"));
        for (Step s : r.trace().steps()) {
            assertNull(s.sketch(), s.name());
            assertNull(s.sha256(), s.name());
        }
    }

    @Test
    void keepsUnknownNodesUnderPrefixedNamesAndListsThem() {
        ImportResult r = read(ImporterFixtures.llamaCppLog(), TOKENS);
        Trace t = r.trace();
        assertEquals(4.117188, sum(t, "llamacpp.norm-0"));
        assertEquals(6.90625, sum(t, "llamacpp.norm-0#2"), "a repeated name gets #2");
        assertEquals(0.581055, sum(t, "llamacpp.node_70"));
        // every printed node is either a step or listed: none is dropped silently
        long nodes = LlamaCppEvalLog.read(ImporterFixtures.llamaCppLog()).size();
        assertEquals(nodes, t.steps().size() + r.notes().unmapped().size());
        assertEquals(t.steps().size(), r.notes().mappings().size());
    }

    @Test
    void roundTripsThroughTheTraceReader() {
        Trace t = read(ImporterFixtures.llamaCppLog(), TOKENS).trace();
        Path out = dir.resolve("llama.json");
        TraceWriter.write(t, out, AtomicFiles.Overwrite.REFUSE);
        assertEquals(t.steps(), TraceReader.read(out).steps());
    }

    private static String header(String name, String op, String srcs, String ne) {
        return String.format("ggml_debug: %24s = (f32) %10s(%s}) = {%s}", name, op, srcs, ne);
    }

    @Test
    void detectsSumsOfThePrintedSliceOnlyFromOldLlamaCpp() throws Exception {
        // llama.cpp before PR #15637 summed only the printed values: 1 + 2 + 3 + 4 + 5 + 6 = 21
        Path f = dir.resolve("old.log");
        Files.writeString(f, String.join("\n",
                header("inp_embd", "GET_ROWS", "token_embd.weight{64, 512, 1, 1}, inp_tokens{1, 1, 1, 1}", "64, 1, 1, 1"),
                IND + "[", IND + " [",
                IND + "  [      1.0000,       2.0000,       3.0000, ...,       4.0000,       5.0000,       6.0000],",
                IND + " ],", IND + "]", IND + "sum = 21.000000", ""));
        ImportResult r = read(f, new int[] {1});
        assertEquals(List.of(), r.trace().steps());
        assertTrue(r.notes().warnings().get(0).contains("PR #15637"), r.notes().warnings().get(0));
        assertTrue(r.notes().samples().containsKey("inp_embd (line 1)"));
    }

    @Test
    void fullyPrintedTensorsGetRowSums() throws Exception {
        Path f = dir.resolve("small.log");
        Files.writeString(f, String.join("\n",
                header("inp_embd", "GET_ROWS", "token_embd.weight{4, 16, 1, 1}, inp_tokens{2, 1, 1, 1}", "4, 2, 1, 1"),
                IND + "[", IND + " [",
                IND + "  [      1.0000,       2.0000,       3.0000,       4.0000],",
                IND + "  [     -1.0000,      -0.5000,       0.2500,       0.0000],",
                IND + " ],", IND + "]", IND + "sum = 8.750000", ""));
        Step embed = read(f, new int[] {1, 2}).trace().step("embed").orElseThrow();
        assertEquals(8.75, embed.stats().sum());
        assertArrayEquals(new double[] {10.0, -1.25}, embed.rowSums());
    }

    @Test
    void importsOnlyTheFirstGraphOfALogWithSeveralDecodes() throws Exception {
        String block = String.join("\n",
                header("inp_embd", "GET_ROWS", "token_embd.weight{8, 16, 1, 1}, inp_tokens{1, 1, 1, 1}", "8, 1, 1, 1"),
                IND + "[", IND + " [",
                IND + "  [      1.0000,       2.0000,       3.0000, ...,       4.0000,       5.0000,       6.0000],",
                IND + " ],", IND + "]", IND + "sum = %s");
        Path f = dir.resolve("two.log");
        Files.writeString(f, String.format(block, "30.500000") + "\n" + String.format(block, "99.000000") + "\n");
        ImportResult r = read(f, new int[] {1});
        assertEquals(30.5, r.trace().step("embed").orElseThrow().stats().sum());
        assertEquals(1, r.trace().steps().size());
        assertTrue(r.notes().warnings().get(0).contains("2 graphs"), r.notes().warnings().get(0));
    }

    @Test
    void needsTokenIdsAndTheirCountMustMatchTheLog() {
        LayerwiseException none = assertThrows(LayerwiseException.class,
                () -> new LlamaCppEvalImporter().read(ImporterFixtures.llamaCppLog(), ImportOptions.none()));
        assertEquals(2, none.exitCode());
        assertTrue(none.getMessage().contains("token ids: this eval-callback log does not print the token ids"),
                none.getMessage());
        LayerwiseException wrong = assertThrows(LayerwiseException.class,
                () -> read(ImporterFixtures.llamaCppLog(), new int[] {1, 2, 3}));
        assertEquals(ImporterFixtures.llamaCppLog() + ": line 13 (inp_embd): the log evaluated 4 tokens but --tokens "
                + "has 3", wrong.getMessage());
    }

    @Test
    void aNonNumericValueNamesTheLine() throws Exception {
        Path f = dir.resolve("bad.log");
        Files.writeString(f, String.join("\n",
                header("inp_embd", "GET_ROWS", "token_embd.weight{2, 16, 1, 1}, inp_tokens{1, 1, 1, 1}", "2, 1, 1, 1"),
                IND + "[", IND + " [", IND + "  [      1.0000,       x.y],", IND + " ],", IND + "]",
                IND + "sum = 1.000000", ""));
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> read(f, new int[] {1}));
        assertEquals(f + ": line 4 (inp_embd): expected a number, got \"x.y\"", e.getMessage());
    }

    @Test
    void aFileWithoutNodesIsBadInput() throws Exception {
        Path f = dir.resolve("empty.log");
        Files.writeString(f, "main: build = 1 (abc)\nllama_perf_context_print: load time = 1 ms\n");
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> read(f, new int[] {1}));
        assertTrue(e.getMessage().startsWith(f + ": no eval-callback node lines"), e.getMessage());
    }
}
