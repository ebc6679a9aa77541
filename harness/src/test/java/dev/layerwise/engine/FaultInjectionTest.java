package dev.layerwise.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultInjectionTest {
    private static final InMemoryCheckpoint CP = InMemoryCheckpoint.create(InMemoryCheckpoint.TINY, DType.FLOAT16, 1);
    private static final Trace CLEAN = run();

    /** Keeps a copy of every step's values. */
    static final class Capture implements StepRecorder {
        final Map<String, float[]> values = new HashMap<>();

        @Override
        public boolean needsValues() {
            return true;
        }

        @Override
        public void record(String name, long[] shape, DType dtype, float[] v, int n) {
            values.put(name, java.util.Arrays.copyOf(v, n));
        }

        @Override
        public void record(String name, long[] shape, DType dtype, double[] v, int n) {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                f[i] = (float) v[i];
            }
            values.put(name, f);
        }
    }

    private static Trace run(String... inject) {
        return LlamaEngine.of(CP).run(Tokens.defaultPrompt(512), RunOptions.defaults().withThreads(2)
                .withInject(List.of(inject)));
    }

    private static Capture capture(String... inject) {
        Capture c = new Capture();
        LlamaEngine.of(CP).run(Tokens.defaultPrompt(512), RunOptions.defaults().withThreads(1)
                .withInject(List.of(inject)), c);
        return c;
    }

    private static String sha(Trace t, String step) {
        return t.step(step).orElseThrow().sha256();
    }

    /** Names of steps whose hash differs from the clean run. */
    private static List<String> changed(Trace t) {
        List<String> out = new ArrayList<>();
        for (Step s : t.steps()) {
            if (!s.sha256().equals(sha(CLEAN, s.name()))) {
                out.add(s.name());
            }
        }
        return out;
    }

    @Test
    void zeroedSiluFlowsOnwardLikeTheSeedReport() {
        Trace t = run("layers.*.silu_gate=zero");
        Step silu = t.step("layers.0.silu_gate").orElseThrow();
        assertEquals(silu.stats().count(), silu.stats().zeros());
        assertEquals(0.0, t.step("layers.0.gated").orElseThrow().stats().absSum());
        assertEquals(0.0, t.step("layers.0.ffn_out").orElseThrow().stats().absSum());
        // out = resid_mid + 0 exactly
        assertEquals(sha(t, "layers.0.resid_mid"), sha(t, "layers.0.out"));
        List<String> changed = changed(t);
        assertEquals("layers.0.silu_gate", changed.get(0));
        assertTrue(changed.contains("logits"));
        assertEquals(sha(CLEAN, "layers.0.up"), sha(t, "layers.0.up"));
    }

    @Test
    void nanPoisonsEverythingDownstream() {
        Trace t = run("layers.1.v=nan");
        assertEquals(0L, t.step("layers.1.k").orElseThrow().stats().nan());
        Step v = t.step("layers.1.v").orElseThrow();
        assertEquals(v.stats().count(), v.stats().nan());
        assertTrue(t.step("logits").orElseThrow().stats().nan() > 0);
        assertEquals("layers.1.v", NonFinite.firstStep(t).orElseThrow().name());
    }

    @Test
    void scaleMultipliesAndRounds() {
        Capture clean = capture();
        Capture scaled = capture("layers.0.q=scale:2");
        float[] a = clean.values.get("layers.0.q");
        float[] b = scaled.values.get("layers.0.q");
        for (int i = 0; i < a.length; i++) {
            assertEquals(2 * a[i], b[i]);
        }
        Capture third = capture("embed=scale:0.3");
        float[] e = clean.values.get("embed");
        float[] e3 = third.values.get("embed");
        for (int i = 0; i < e.length; i++) {
            assertEquals(DType.FLOAT16.round((float) (e[i] * 0.3)), e3[i]);
        }
    }

    @Test
    void staleKeepsTheSourceStepsContent() {
        Trace t = run("layers.*.gated=stale:layers.*.up");
        assertEquals(sha(t, "layers.0.up"), sha(t, "layers.0.gated"));
        assertEquals(sha(t, "layers.1.up"), sha(t, "layers.1.gated"));
        assertEquals("layers.0.gated", changed(t).get(0));
    }

    @Test
    void skipLeavesZerosOnFirstUseAndThePreviousLayersValuesAfter() {
        Trace t = run("layers.*.gate=skip");
        Step first = t.step("layers.0.gate").orElseThrow();
        assertEquals(first.stats().count(), first.stats().zeros());
        Trace one = run("layers.1.gate=skip");
        assertEquals(sha(CLEAN, "layers.0.gate"), sha(one, "layers.1.gate"));
        assertEquals("layers.1.gate", changed(one).get(0));
    }

    @Test
    void perturbUlpMovesEveryElementOneHalfUlpUp() {
        Capture clean = capture();
        Capture bumped = capture("layers.0.attn_norm=perturb-ulp");
        float[] a = clean.values.get("layers.0.attn_norm");
        float[] b = bumped.values.get("layers.0.attn_norm");
        for (int i = 0; i < a.length; i++) {
            short ha = Float.floatToFloat16(a[i]);
            short hb = Float.floatToFloat16(b[i]);
            assertTrue(b[i] > a[i], "element " + i);
            assertEquals(Float.float16ToFloat(hb), b[i]);
            int expected = a[i] == 0 ? 1 : (a[i] > 0 ? ha + 1 : ha - 1);
            assertEquals((short) expected, hb);
        }
        assertNotEquals(sha(CLEAN, "logits"), sha(run("layers.0.attn_norm=perturb-ulp"), "logits"));
    }

    @Test
    void perturbUlpByNMovesEveryElementNUlpsUp() {
        float[] a = capture().values.get("layers.0.up");
        float[] b = capture("layers.0.up=perturb-ulp:5").values.get("layers.0.up");
        for (int i = 0; i < a.length; i++) {
            float expected = a[i];
            for (int u = 0; u < 5; u++) {
                expected = Float32Arithmetic.nextUp(expected, DType.FLOAT16);
            }
            assertEquals(expected, b[i], "element " + i);
        }
    }

    @Test
    void lastTokenFaultsTouchTheLastRowOnly() {
        float[] clean = capture().values.get("layers.0.up");
        float[] scaled = capture("layers.0.up=scale:2@last").values.get("layers.0.up");
        float[] bumped = capture("layers.0.up=perturb-ulp:3@last").values.get("layers.0.up");
        int row = clean.length / Tokens.defaultPrompt(512).length;
        int last = clean.length - row;
        for (int i = 0; i < clean.length; i++) {
            if (i < last) {
                assertEquals(clean[i], scaled[i], "element " + i);
                assertEquals(clean[i], bumped[i], "element " + i);
            } else {
                assertEquals(2 * clean[i], scaled[i], "element " + i); // x2 is exact in f16 at these magnitudes
                assertTrue(bumped[i] > clean[i], "element " + i);
            }
        }
        assertEquals("layers.0.up=scale:2.0@last", new dev.layerwise.engine.fault.Fault("layers.0.up",
                dev.layerwise.engine.fault.FaultKind.SCALE, 2, 0, null, 0, true).spec());
    }

    @Test
    void badSpecsAreRejectedWithOneLine() {
        List<String[]> bad = List.of(
                new String[] {"layers.0.silu=zero", "unknown step 'layers.0.silu'"},
                new String[] {"layers.0.up=explode", "unknown fault kind 'explode'"},
                new String[] {"layers.0.up=stale:layers.0.gated", "must run before"},
                new String[] {"layers.0.up=stale:layers.0.q", "another shape"},
                new String[] {"layers.5.up=zero", "beyond the model's 2 layers"},
                new String[] {"layers.0.up=scale:x", "not a number"},
                new String[] {"layers.0.up=perturb-ulp:0", "positive integer"},
                new String[] {"layers.0.up=perturb-ulp:many", "not an integer"},
                new String[] {"layers.0.up=zero@last", "@last applies to scale, perturb-ulp and rope-offset"},
                new String[] {"layers.0.attn_probs=scale:2@last", "first axis is the token axis"},
                new String[] {"up", "expected STEP=KIND"});
        for (String[] b : bad) {
            LayerwiseException e = assertThrows(LayerwiseException.class, () -> run(b[0]), b[0]);
            assertEquals(2, e.exitCode());
            assertTrue(e.getMessage().startsWith("--inject: " + b[0] + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(b[1]), e.getMessage());
        }
    }
}
