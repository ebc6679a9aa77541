package dev.layerwise.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LlamaEngineTest {
    static final dev.layerwise.trace.ModelDims TINY = InMemoryCheckpoint.TINY;

    static Trace run(InMemoryCheckpoint cp, RunOptions o) {
        return LlamaEngine.of(cp).run(Tokens.defaultPrompt(cp.config().dims().vocab()), o);
    }

    static RunOptions cpu(int threads) {
        return RunOptions.defaults().withThreads(threads);
    }

    @Test
    void recordsEveryCanonicalStepInOrderWithCanonicalShapes() {
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(TINY, DType.FLOAT16, 1);
        Trace trace = run(cp, cpu(2));
        List<String> names = new ArrayList<>();
        trace.steps().forEach(s -> names.add(s.name()));
        assertEquals(CanonicalSteps.all(2), names);
        int t = 38;
        assertArrayEquals(new long[] {t, 64}, trace.step("embed").orElseThrow().shape());
        assertArrayEquals(new long[] {t, 32}, trace.step("layers.1.k_rope").orElseThrow().shape());
        assertArrayEquals(new long[] {4, t, t}, trace.step("layers.0.attn_probs").orElseThrow().shape());
        assertArrayEquals(new long[] {t, 176}, trace.step("layers.1.silu_gate").orElseThrow().shape());
        assertArrayEquals(new long[] {t, 512}, trace.step("logits").orElseThrow().shape());
        assertEquals(DType.FLOAT16, trace.dtype());
        assertTrue(trace.steps().stream().allMatch(s -> s.dtype() == DType.FLOAT16));
        assertEquals("layerwise-cpu", trace.producer().name());
        assertEquals("eager", trace.producer().attnImplementation());
        assertEquals(2, trace.producer().extra().get("threads"));
        assertEquals(10, trace.topK().size());
        assertEquals(38, trace.input().tokenIds().length);
        // attention rows sum to one per (head, query): row sums of probs = T * heads... row_sums are per head
        Step probs = trace.step("layers.0.attn_probs").orElseThrow();
        for (double headSum : probs.rowSums()) {
            assertEquals(t, headSum, t * 4 * 0x1p-11);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT16", "BFLOAT16"})
    void everyStepIsBitIdenticalForOneTwoAndThreeThreadsAndAcrossRuns(DType dtype) {
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(TINY, dtype, 3);
        Trace one = run(cp, cpu(1));
        Trace two = run(cp, cpu(2));
        Trace three = run(cp, cpu(3));
        Trace again = run(cp, cpu(2));
        for (int i = 0; i < one.steps().size(); i++) {
            String sha = one.steps().get(i).sha256();
            String name = one.steps().get(i).name();
            assertEquals(sha, two.steps().get(i).sha256(), name + " 1 vs 2 threads");
            assertEquals(sha, three.steps().get(i).sha256(), name + " 1 vs 3 threads");
            assertEquals(sha, again.steps().get(i).sha256(), name + " second run");
        }
        assertEquals(one.topK(), three.topK());
    }

    /** At 300 tokens some steps reach TraceRecorder.HALVES_FROM: those are copied as 2-byte values, the rest as floats. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16", "BFLOAT16"})
    void backgroundRecordingGivesTheSameStepsAsRecordingInTheForeground(DType dtype) {
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(TINY, dtype, 2);
        LlamaEngine engine = LlamaEngine.of(cp);
        int[] prompt = Tokens.defaultPrompt(TINY.vocab());
        int[] tokens = java.util.stream.IntStream.range(0, 300).map(i -> prompt[i % prompt.length]).toArray();
        try (TraceRecorder foreground = new TraceRecorder(dev.layerwise.trace.SketchSpec.DEFAULT, false)) {
            engine.run(tokens, cpu(2), foreground);
            List<Step> expected = foreground.steps();
            assertTrue(expected.stream().anyMatch(s -> s.elementCount() >= TraceRecorder.HALVES_FROM)
                    && expected.stream().anyMatch(s -> s.elementCount() < TraceRecorder.HALVES_FROM));
            assertEquals(expected, engine.run(tokens, cpu(2)).steps(), "the choice run() makes on this machine");
            assertEquals(expected, engine.recordOnOwnThread(tokens, cpu(2)).steps(), "a thread of the recorder's own");
            for (int threads : new int[] {1, 2, 3}) {
                assertEquals(expected, engine.recordOnWorkers(tokens, cpu(threads)).steps(),
                        "side jobs of " + threads + " worker threads");
            }
        }
    }

    @Test
    void oracleIsDeterministicToo() {
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(TINY, DType.BFLOAT16, 4);
        RunOptions o = RunOptions.defaults().withEngine(EngineKind.ORACLE);
        Trace a = run(cp, o.withThreads(1));
        Trace b = run(cp, o.withThreads(3));
        for (int i = 0; i < a.steps().size(); i++) {
            assertEquals(a.steps().get(i).sha256(), b.steps().get(i).sha256(), a.steps().get(i).name());
        }
        assertEquals(DType.FLOAT64, a.dtype());
        assertEquals("layerwise-oracle", a.producer().name());
    }

    @Test
    void float32EngineTracksTheFloat64OracleAndHalfStaysWithinItsPrecision() {
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(TINY, DType.FLOAT16, 5);
        Trace oracle = run(cp, RunOptions.defaults().withEngine(EngineKind.ORACLE));
        Trace f32 = run(cp, cpu(2).withDtype(DType.FLOAT32));
        Trace f16 = run(cp, cpu(2));
        for (Step o : oracle.steps()) {
            Step a = f32.step(o.name()).orElseThrow();
            Step h = f16.step(o.name()).orElseThrow();
            double norm = Math.sqrt(o.stats().sumSq());
            double scale = Math.sqrt(o.elementCount());
            double d32 = sketchDistance(o, a);
            double d16 = sketchDistance(o, h);
            assertTrue(d32 <= 1e-5 * norm + 1e-6 * scale, o.name() + ": f32 distance " + d32 + " norm " + norm);
            assertTrue(d16 <= 0.02 * norm + 1e-3 * scale, o.name() + ": f16 distance " + d16 + " norm " + norm);
        }
        assertEquals(oracle.topK().get(0).tokenId(), f32.topK().get(0).tokenId());
    }

    private static double sketchDistance(Step a, Step b) {
        double s = 0;
        for (int j = 0; j < a.sketch().length; j++) {
            double d = a.sketch()[j] - b.sketch()[j];
            s += d * d;
        }
        return Math.sqrt(s / a.sketch().length);
    }

    @Test
    void syntheticConfigNamesTheSourceAndTiedEmbeddingsNeedNoLmHead() {
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(TINY, DType.FLOAT32, 1);
        com.fasterxml.jackson.databind.node.ObjectNode raw = cp.config().raw().deepCopy();
        raw.putObject("synthetic").put("generator", "splitmix64-uniform-v1").put("preset", "tiny").put("seed", 1);
        InMemoryCheckpoint syn = cp.withConfig(withRaw(cp, raw));
        assertEquals("synthetic:tiny/seed=1", run(syn, cpu(1)).model().source());
    }

    private static dev.layerwise.model.LlamaConfig withRaw(InMemoryCheckpoint cp,
            com.fasterxml.jackson.databind.node.ObjectNode raw) {
        var c = cp.config();
        return new dev.layerwise.model.LlamaConfig(c.dims(), c.rmsNormEps(), c.ropeTheta(), c.maxPositionEmbeddings(),
                c.torchDtype(), c.tieWordEmbeddings(), raw);
    }

    @Test
    void tokensOutsideTheVocabularyAreRejectedNamingPositionAndId() {
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(TINY, DType.FLOAT32, 1);
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> LlamaEngine.of(cp).run(new int[] {1, 2, 600}, cpu(1)));
        assertEquals(2, e.exitCode());
        assertEquals("--tokens: position 2: token id 600 is outside the vocabulary (vocab_size 512)", e.getMessage());
    }

    @Test
    void tensorsThatDoNotMatchTheConfigAreRejected() {
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(TINY, DType.FLOAT32, 1);
        InMemoryCheckpoint bad = cp.with(InMemoryCheckpoint.tensor("model.layers.1.mlp.up_proj.weight",
                DType.FLOAT32, new float[64 * 100], 100, 64));
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> LlamaEngine.of(bad));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("model.layers.1.mlp.up_proj.weight: shape [100, 64] does not match"
                + " config.json (expected [176, 64])"), e.getMessage());
    }

    @Test
    void unsupportedArchitecturesAreRejected() {
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(TINY, DType.FLOAT32, 1);
        com.fasterxml.jackson.databind.node.ObjectNode raw = cp.config().raw().deepCopy();
        raw.put("model_type", "mistral");
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> LlamaEngine.of(cp.withConfig(withRaw(cp, raw))));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("model_type: unsupported architecture 'mistral'"), e.getMessage());
    }

    @Test
    void aPromptWhoseActivationsCannotFitTheHeapIsRejectedBeforeAllocating() {
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(TINY, DType.FLOAT32, 1);
        int[] tokens = new int[300_000];
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> LlamaEngine.of(cp).run(tokens, cpu(1)));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().startsWith("not enough memory: 300000 tokens need "), e.getMessage());
    }

    @Test
    void nonFiniteValuesAreRecordedNotFatal() {
        InMemoryCheckpoint cp = InMemoryCheckpoint.create(TINY, DType.FLOAT16, 1);
        Trace t = run(cp, cpu(1).withInject(List.of("layers.1.up=scale:1e6")));
        Step up = t.step("layers.1.up").orElseThrow();
        assertTrue(up.stats().posInf() + up.stats().negInf() > 0);
        assertEquals("layers.1.up", NonFinite.firstStep(t).orElseThrow().name());
    }
}
