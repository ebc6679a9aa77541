package dev.layerwise.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Trace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class CalibratorTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();

    @Test
    void calibratedProfileKeepsCleanRunsPassingAndStillCatchesFaults(@TempDir Path tmp) {
        Trace a = engine.run(DType.FLOAT16);
        Trace b = engine.otherRounding(DType.FLOAT16);
        CalibratedProfile p = Calibrator.calibrate(a, b, 3);
        Path file = tmp.resolve("profile.json");
        p.write(file, AtomicFiles.Overwrite.REFUSE);
        CalibratedProfile read = CalibratedProfile.read(file);
        assertEquals(p.steps(), read.steps());
        assertEquals(3 + 17 * EngineTraces.LAYERS, read.steps().size());

        TraceComparator calibrated = TraceComparator.create().withProfile(file);
        assertEquals(0, calibrated.compare(a, b).exitCode());
        assertEquals(0, calibrated.compare(b, a).exitCode());
        Map<String, Trace> faulty = new LinkedHashMap<>();
        for (String f : List.of("layers.0.silu_gate=zero", "layers.0.q_rope=rope-interleaved",
                "layers.0.gate=swap:layers.0.up")) {
            faulty.put(f, engine.run(DType.FLOAT16, f));
        }
        faulty.put("layers.0.attn_ctx=heads reversed", engine.headsReversed(DType.FLOAT16));
        faulty.forEach((f, cand) -> {
            Comparison c = calibrated.compare(a, cand);
            Comparison byDefault = TraceComparator.create().compare(a, cand);
            assertEquals(f.substring(0, f.indexOf('=')), c.firstDivergence(), f);
            assertEquals(byDefault.firstDivergence(), c.firstDivergence(), f);
            assertEquals(byDefault.diagnoses().stream().map(Object::toString).toList(),
                    c.diagnoses().stream().map(Object::toString).toList(), f);
        });
    }

    @Test
    void observedDeviationTimesMarginNeverBelowTheFloor() {
        Trace a = engine.run(DType.FLOAT16);
        Trace b = engine.otherRounding(DType.FLOAT16);
        CalibratedProfile p = Calibrator.calibrate(a, b, 5);
        DefaultTolerances d = new DefaultTolerances(TraceDims.of(a));
        StepMetrics m = MetricCalculator.compare(a.step("layers.1.q").orElseThrow(), b.step("layers.1.q").orElseThrow(), true);
        Tolerance t = p.steps().get("layers.1.q");
        assertEquals(Math.max(d.floor("layers.1.q", DType.FLOAT16).sum(), 5 * m.sumDev()), t.sum(), 0);
        assertEquals(Math.max(d.floor("layers.1.q", DType.FLOAT16).relL2(),
                5 * m.relL2() * SketchNoise.acceptFactor(16)), t.relL2(), 0);

        CalibratedProfile identical = Calibrator.calibrate(a, a, 3);
        identical.steps().forEach((step, tol) -> assertEquals(d.floor(step, DType.FLOAT16).relL2(), tol.relL2(), 0));
    }

    @Test
    void rejectsIncomparableReferencesAndBadMargins() {
        Trace a = engine.run(DType.FLOAT32);
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> Calibrator.calibrate(a, TraceComparatorTest.withTokens(a, new int[] {1, 2}), 3));
        assertEquals(3, e.exitCode());
        assertEquals(2, assertThrows(LayerwiseException.class, () -> Calibrator.calibrate(a, a, 0.5)).exitCode());
    }

    @Test
    void malformedProfilesGiveOneLineErrors(@TempDir Path tmp) throws Exception {
        assertProfileError(tmp, "{\"format\": \"other\"}", "p.json: format: expected \"layerwise-tolerance-profile\", got \"other\"");
        assertProfileError(tmp, "{\"format\": \"layerwise-tolerance-profile\", \"version\": 1, \"dtype\": \"float16\"}",
                "p.json: steps: missing required field (an object of step tolerances)");
        assertProfileError(tmp, "{\"format\": \"layerwise-tolerance-profile\", \"version\": 1, \"dtype\": \"f16\", "
                + "\"steps\": {\"embed\": {\"rel_l2\": -1, \"sum\": 0, \"norm\": 0, \"row\": 0, \"sum_only\": 0}}}",
                "p.json: steps.embed.rel_l2: expected a finite non-negative tolerance, got -1");
        assertProfileError(tmp, "{\"format\": \"layerwise-tolerance-profile\", \"version\": 1, \"dtype\": \"f16\", "
                + "\"steps\": {\"embed\": {\"rel_l2\": 1}}}", "p.json: steps.embed.sum: missing required field");
        assertProfileError(tmp, "{\"format\": \"layerwise-tolerance-profile\", \"version\": 2}",
                "p.json: version: unsupported version 2 (this reader knows version 1)");
        assertProfileError(tmp, "{\"format\": \"layerwise-tolerance-profile\", \"version\": 4294967297}",
                "p.json: version: unsupported version 4294967297 (this reader knows version 1)");
        assertProfileError(tmp, "{nope", null);
    }

    private static void assertProfileError(Path tmp, String json, String expected) throws Exception {
        Path f = tmp.resolve("p.json");
        Files.writeString(f, json);
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> CalibratedProfile.read(f));
        assertEquals(2, e.exitCode());
        String msg = e.getMessage().replace(f.toString(), "p.json");
        assertTrue(!msg.contains("\n"), msg);
        if (expected != null) {
            assertEquals(expected, msg);
        } else {
            assertTrue(msg.startsWith("p.json: not valid JSON"), msg);
        }
    }
}
