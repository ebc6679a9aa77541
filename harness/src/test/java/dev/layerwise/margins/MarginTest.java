package dev.layerwise.margins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.engine.InMemoryCheckpoint;
import dev.layerwise.engine.LlamaEngine;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.engine.Tokens;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Trace;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Margins read the comparator's own checks: 0 when bit-identical, value/limit otherwise, inf for new NaNs. */
class MarginTest {
    private static final InMemoryCheckpoint CP = InMemoryCheckpoint.create(InMemoryCheckpoint.TINY, DType.FLOAT16, 1);

    private static Trace run(EngineKind engine, String... inject) {
        DType dtype = engine == EngineKind.CPU ? DType.FLOAT16 : null;
        return LlamaEngine.of(CP).run(Tokens.defaultPrompt(512),
                RunOptions.defaults().withEngine(engine).withDtype(dtype).withInject(List.of(inject)));
    }

    @Test
    void identicalTracesHaveMarginZero() {
        Trace t = run(EngineKind.CPU);
        Margin m = Margin.worst(TraceComparator.create().compare(t, t));
        assertEquals(0.0, m.ratio());
        assertEquals("bit-identical", m.metric());
    }

    @Test
    void aCleanSecondEngineStaysBelowOneAndItsWorstStepIsTheLargestRatio() {
        Comparison c = TraceComparator.create().compare(run(EngineKind.CPU), run(EngineKind.ORACLE));
        Margin worst = Margin.worst(c);
        assertTrue(worst.ratio() > 0 && worst.ratio() < 1, worst.toString());
        for (StepResult r : c.steps()) {
            assertTrue(Margin.of(r).ratio() <= worst.ratio());
        }
        StepResult at = c.step(worst.step()).orElseThrow();
        double relL2 = at.metrics().relL2() / at.tolerance().relL2();
        assertTrue(worst.ratio() >= relL2);
    }

    @Test
    void aFaultIsMeasuredAtItsFirstDivergence() {
        Comparison scaled = TraceComparator.create().compare(run(EngineKind.CPU), run(EngineKind.CPU,
                "layers.0.up=scale:2"));
        Margin m = Margin.atDivergence(scaled);
        assertEquals("layers.0.up", m.step());
        StepResult up = scaled.step("layers.0.up").orElseThrow();
        // norm ratio exactly 2: norm_dev 1.0 over its tolerance
        assertTrue(m.ratio() >= 1.0 / up.tolerance().norm() * 0.999, m.toString());

        Margin nan = Margin.atDivergence(TraceComparator.create().compare(run(EngineKind.CPU),
                run(EngineKind.CPU, "layers.0.v=nan")));
        assertEquals("layers.0.v", nan.step());
        assertEquals(Double.POSITIVE_INFINITY, nan.ratio());
    }
}
