package dev.layerwise.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.kernels.MatMul;
import dev.layerwise.engine.kernels.Precision;
import dev.layerwise.engine.kernels.RmsNorm;
import dev.layerwise.engine.kernels.Rope;
import dev.layerwise.engine.kernels.RopeTable;
import dev.layerwise.engine.kernels.RopeVariant;
import dev.layerwise.engine.kernels.Scratch;
import dev.layerwise.engine.kernels.WorkerPool;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The semantic fault kinds change the computation of exactly the faulted step (every earlier step keeps its
 * hash) in the way docs/fault-injection.md describes, in the float and the float64 (oracle) kernels, and bad
 * specs are rejected with one line. Tiny model: T = 38, H = 64, 4 heads, 2 KV heads, D = 16.
 */
class SemanticFaultTest {
    private static final InMemoryCheckpoint CP = InMemoryCheckpoint.create(InMemoryCheckpoint.TINY, DType.FLOAT16, 1);
    private static final int T = Tokens.defaultPrompt(512).length;
    private static final int HEADS = 4;

    private static Trace run(EngineKind engine, String... inject) {
        return LlamaEngine.of(CP).run(Tokens.defaultPrompt(512), RunOptions.defaults().withEngine(engine)
                .withThreads(2).withInject(List.of(inject)));
    }

    private static FaultInjectionTest.Capture capture(EngineKind engine, String... inject) {
        FaultInjectionTest.Capture c = new FaultInjectionTest.Capture();
        LlamaEngine.of(CP).run(Tokens.defaultPrompt(512), RunOptions.defaults().withEngine(engine).withThreads(1)
                .withInject(List.of(inject)), c);
        return c;
    }

    private static String sha(Trace t, String step) {
        return t.step(step).orElseThrow().sha256();
    }

    private static List<String> changed(Trace clean, Trace t) {
        List<String> out = new ArrayList<>();
        for (Step s : t.steps()) {
            if (!s.sha256().equals(sha(clean, s.name()))) {
                out.add(s.name());
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void eachSemanticFaultChangesItsStepFirst(EngineKind engine) {
        Trace clean = run(engine);
        for (String spec : List.of("layers.0.attn_probs=no-causal-mask", "layers.0.attn_probs=no-scale",
                "layers.0.attn_probs=gqa-modulo", "layers.1.attn_ctx=gqa-modulo", "layers.0.q_rope=rope-interleaved",
                "layers.1.k_rope=rope-interleaved", "layers.0.k_rope=rope-offset:5", "layers.0.resid_mid=no-residual",
                "layers.1.out=no-residual", "layers.1.gate=swap:layers.1.up", "layers.0.k=swap:layers.0.v",
                "layers.0.attn_probs=causal-off-by-one", "layers.1.q_rope=rope-offset:1@last",
                "layers.0.attn_norm=norm-h-minus-1", "layers.1.ffn_norm=norm-h-minus-1", "final_norm=norm-h-minus-1",
                "layers.0.ffn_out=drop-columns:8", "layers.1.q=drop-columns:1", "layers.1.ffn_out=half-accumulation",
                "layers.0.v=half-accumulation")) {
            List<String> changed = changed(clean, run(engine, spec));
            assertTrue(!changed.isEmpty(), spec);
            assertEquals(spec.substring(0, spec.indexOf('=')), changed.get(0), spec);
            assertTrue(changed.contains("logits"), spec);
        }
    }

    @Test
    void swapExchangesTheWeightsOfBothProjections() {
        Trace clean = run(EngineKind.CPU);
        Trace t = run(EngineKind.CPU, "layers.0.gate=swap:layers.0.up");
        assertEquals(sha(clean, "layers.0.up"), sha(t, "layers.0.gate"));
        assertEquals(sha(clean, "layers.0.gate"), sha(t, "layers.0.up"));
        assertEquals(List.of("layers.0.gate=swap:layers.0.up"), t.producer().extra().get("faults"));
    }

    @Test
    void noResidualLeavesTheBranchOutputAlone() {
        Trace t = run(EngineKind.CPU, "layers.0.resid_mid=no-residual", "layers.1.out=no-residual");
        assertEquals(sha(t, "layers.0.attn_out"), sha(t, "layers.0.resid_mid"));
        assertEquals(sha(t, "layers.1.ffn_out"), sha(t, "layers.1.out"));
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void noCausalMaskFillsTheUpperTriangleAndRowsStillSumToOne(EngineKind engine) {
        Step clean = run(engine).step("layers.0.attn_probs").orElseThrow();
        Step open = run(engine, "layers.0.attn_probs=no-causal-mask").step("layers.0.attn_probs").orElseThrow();
        long masked = (long) HEADS * T * (T - 1) / 2;
        assertTrue(clean.stats().zeros() >= masked);
        assertTrue(open.stats().zeros() < masked / 10, "zeros " + open.stats().zeros());
        for (double headSum : open.rowSums()) {
            assertEquals(T, headSum, 0.05);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void noScaleSharpensEveryHeadAndKeepsTheMask(EngineKind engine) {
        Step clean = run(engine).step("layers.0.attn_probs").orElseThrow();
        Step sharp = run(engine, "layers.0.attn_probs=no-scale").step("layers.0.attn_probs").orElseThrow();
        assertTrue(sharp.stats().zeros() >= clean.stats().zeros());
        for (int h = 0; h < HEADS; h++) {
            assertTrue(sharp.rowSumSq()[h] > clean.rowSumSq()[h], "head " + h);
            assertEquals(T, sharp.rowSums()[h], 0.05);
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void gqaModuloChangesOnlyTheHeadsWhoseMappingDiffers(EngineKind engine) {
        // 4 query heads, 2 KV heads: h / 2 = 0,0,1,1 and h % 2 = 0,1,0,1, so heads 0 and 3 are unchanged.
        Step clean = run(engine).step("layers.0.attn_probs").orElseThrow();
        Step mod = run(engine, "layers.0.attn_probs=gqa-modulo").step("layers.0.attn_probs").orElseThrow();
        assertEquals(clean.rowSumSq()[0], mod.rowSumSq()[0]);
        assertEquals(clean.rowSumSq()[3], mod.rowSumSq()[3]);
        assertNotEquals(clean.rowSumSq()[1], mod.rowSumSq()[1]);
        assertNotEquals(clean.rowSumSq()[2], mod.rowSumSq()[2]);
    }

    @Test
    void interleavedRopeKeepsPositionZeroAndEveryNorm() {
        Step clean = run(EngineKind.ORACLE).step("layers.0.q_rope").orElseThrow();
        Step inter = run(EngineKind.ORACLE, "layers.0.q_rope=rope-interleaved").step("layers.0.q_rope").orElseThrow();
        assertEquals(clean.rowSums()[0], inter.rowSums()[0]);
        for (int t = 0; t < T; t++) {
            assertEquals(clean.rowSumSq()[t], inter.rowSumSq()[t], 1e-9 * clean.rowSumSq()[t]);
        }
        assertNotEquals(clean.rowSums()[T - 1], inter.rowSums()[T - 1]);
    }

    @Test
    void ropeOffsetRotatesTokenTAsPositionTPlusN() {
        int tokens = 5;
        int heads = 2;
        int d = 8;
        int n = 3;
        double[] x = new double[tokens * heads * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.sin(i + 1.0);
        }
        RopeTable table = RopeTable.forDouble(tokens + n, d, 10000);
        double[] shifted = new double[x.length];
        Rope.apply(x, tokens, heads, d, table, new RopeVariant(false, n), shifted);
        double[] padded = new double[(tokens + n) * heads * d];
        System.arraycopy(x, 0, padded, n * heads * d, x.length);
        double[] expected = new double[padded.length];
        Rope.apply(padded, tokens + n, heads, d, table, expected);
        assertArrayEquals(java.util.Arrays.copyOfRange(expected, n * heads * d, expected.length), shifted);
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void causalOffByOneLetsEveryQuerySeeTheNextKey(EngineKind engine) {
        FaultInjectionTest.Capture c = capture(engine, "layers.0.attn_probs=causal-off-by-one");
        float[] p = c.values.get("layers.0.attn_probs");
        for (int h = 0; h < HEADS; h++) {
            for (int t = 0; t < T; t++) {
                int row = (h * T + t) * T;
                double sum = 0;
                for (int s = 0; s < T; s++) {
                    assertEquals(s <= Math.min(t + 1, T - 1), p[row + s] > 0, "head " + h + " query " + t + " key " + s);
                    sum += p[row + s];
                }
                assertEquals(1.0, sum, 1e-2);
            }
        }
    }

    @Test
    void ropeOffsetOnTheLastTokenLeavesEveryOtherTokenAlone() {
        int tokens = 5;
        int heads = 2;
        int d = 8;
        int n = 2;
        double[] x = new double[tokens * heads * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.cos(i + 0.5);
        }
        RopeTable table = RopeTable.forDouble(tokens + n, d, 10000);
        double[] last = new double[x.length];
        Rope.apply(x, tokens, heads, d, table, new RopeVariant(false, n, tokens - 1), last);
        double[] standard = new double[x.length];
        Rope.apply(x, tokens, heads, d, table, standard);
        double[] all = new double[x.length];
        Rope.apply(x, tokens, heads, d, table, new RopeVariant(false, n), all);
        int row = heads * d;
        int lastRow = (tokens - 1) * row;
        assertArrayEquals(java.util.Arrays.copyOf(standard, lastRow), java.util.Arrays.copyOf(last, lastRow));
        assertArrayEquals(java.util.Arrays.copyOfRange(all, lastRow, x.length),
                java.util.Arrays.copyOfRange(last, lastRow, x.length));
    }

    @Test
    void normOverHMinusOneScalesEachRowBySqrtOfHMinusOneOverH() {
        int rows = 3;
        int h = 16;
        double[] x = new double[rows * h];
        double[] w = new double[h];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.sin(3 * i + 1.0);
        }
        java.util.Arrays.fill(w, 1.5);
        double[] clean = new double[x.length];
        double[] faulted = new double[x.length];
        RmsNorm.apply(x, rows, h, w, 0, clean);
        RmsNorm.apply(x, rows, h, h - 1, w, 0, faulted);
        for (int i = 0; i < x.length; i++) {
            assertEquals(clean[i] * Math.sqrt((h - 1.0) / h), faulted[i], 1e-12);
        }
    }

    @Test
    void droppedColumnsEqualAnInputWhoseLastColumnsAreZero() {
        FaultInjectionTest.Capture c = capture(EngineKind.CPU, "layers.0.ffn_out=drop-columns:8");
        float[] gated = c.values.get("layers.0.gated").clone();
        int in = gated.length / T;
        for (int t = 0; t < T; t++) {
            java.util.Arrays.fill(gated, t * in + in - 8, t * in + in, 0f);
        }
        var weights = LlamaWeights.of(CP);
        float[] expected = new float[c.values.get("layers.0.ffn_out").length];
        try (WorkerPool pool = new WorkerPool(1)) {
            MatMul.linear(gated, T, weights.layer(0).linear(dev.layerwise.trace.StepKind.FFN_OUT), expected,
                    Precision.of(DType.FLOAT16), pool, new Scratch(1));
        }
        assertArrayEquals(expected, c.values.get("layers.0.ffn_out"));
    }

    @Test
    void halfAccumulationRoundsTheRunningSumToHalfPrecision() {
        FaultInjectionTest.Capture clean = capture(EngineKind.CPU);
        FaultInjectionTest.Capture half = capture(EngineKind.CPU, "layers.1.ffn_out=half-accumulation");
        float[] a = clean.values.get("layers.1.ffn_out");
        float[] b = half.values.get("layers.1.ffn_out");
        int in = clean.values.get("layers.1.gated").length / T;
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(a[i]));
        }
        // an f16 running sum of `in` terms errs by up to about in * 2^-11 of its magnitude: more than the output's
        // own rounding, which the clean f16 run has too
        String what = "worst difference " + worst + ", largest output " + scale;
        assertTrue(worst > 0x1p-11 * scale, what);
        assertTrue(worst < in * 0x1p-11 * scale, what);
    }

    @Test
    void badSemanticSpecsAreRejectedWithOneLine() {
        List<String[]> bad = List.of(
                new String[] {"layers.0.q=no-causal-mask", "no-causal-mask applies to attn_probs steps, not to q"},
                new String[] {"layers.0.attn_ctx=no-scale", "applies to attn_probs steps"},
                new String[] {"layers.0.out=rope-interleaved", "applies to q_rope, k_rope steps"},
                new String[] {"layers.0.q=gqa-modulo", "applies to attn_probs, attn_ctx steps"},
                new String[] {"layers.0.attn_out=no-residual", "applies to resid_mid, out steps"},
                new String[] {"layers.0.q_rope=rope-offset:0", "positive"},
                new String[] {"layers.0.q_rope=rope-offset:x", "not an integer"},
                new String[] {"layers.0.gate=swap:layers.0.q", "same input"},
                new String[] {"layers.0.gate=swap:layers.1.up", "same layer"},
                new String[] {"layers.0.q=swap:layers.0.k", "another shape"},
                new String[] {"layers.0.gate=swap:layers.0.gate", "same layer"},
                new String[] {"layers.0.gate=swap:layers.0.upp", "unknown swap partner"},
                new String[] {"embed=swap:layers.0.up", "applies to q, k, v, gate, up steps"},
                new String[] {"layers.0.q=causal-off-by-one", "applies to attn_probs steps"},
                new String[] {"layers.0.q=norm-h-minus-1", "applies to attn_norm, ffn_norm, final_norm steps"},
                new String[] {"layers.0.silu_gate=half-accumulation", "applies to q, k, v, attn_out, gate, up"},
                new String[] {"layers.0.ffn_out=drop-columns:176", "cannot drop 176 of the 176 input columns"},
                new String[] {"layers.0.ffn_out=drop-columns:0", "positive integer"},
                new String[] {"layers.0.q_rope=rope-interleaved@last", "@last applies to scale"});
        for (String[] b : bad) {
            LayerwiseException e = assertThrows(LayerwiseException.class, () -> run(EngineKind.CPU, b[0]), b[0]);
            assertEquals(2, e.exitCode());
            assertTrue(e.getMessage().startsWith("--inject: " + b[0] + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(b[1]), e.getMessage());
            assertEquals(-1, e.getMessage().indexOf('\n'));
        }
        LayerwiseException twice = assertThrows(LayerwiseException.class,
                () -> run(EngineKind.CPU, "layers.0.gate=swap:layers.0.up", "layers.0.up=zero"));
        assertTrue(twice.getMessage().contains("a second fault for step layers.0.up"), twice.getMessage());
        // Naming both halves of one swap is the same fault, not a conflict.
        run(EngineKind.CPU, "layers.0.gate=swap:layers.0.up", "layers.0.up=swap:layers.0.gate");
    }
}
