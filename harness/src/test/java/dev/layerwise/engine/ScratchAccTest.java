package dev.layerwise.engine;

import dev.layerwise.numeric.DType;
import dev.layerwise.trace.SketchSpec;
import dev.layerwise.trace.StepAccumulator;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class ScratchAccTest {
    @Test
    void bench() {
        float[] v = new float[38 * 5632];
        for (int i = 0; i < v.length; i++) v[i] = DType.FLOAT16.round((float) Math.sin(i));
        var mx = ManagementFactory.getThreadMXBean();
        StepAccumulator acc = new StepAccumulator();
        StepAccumulator acc0 = new StepAccumulator(new SketchSpec("rademacher-splitmix64", 0, 0));
        for (int r = 0; r < 8; r++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < 20; k++) acc.begin("x", new long[] {38, 5632}, DType.FLOAT16).add(v).finish();
            long c1 = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < 20; k++) acc.begin("x", new long[] {38, 5632}, DType.FLOAT32).add(v).finish();
            long c2 = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < 20; k++) acc0.begin("x", new long[] {38, 5632}, DType.FLOAT16).add(v).finish();
            long c3 = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < 20; k++) acc.begin("x", new long[] {38* 5632}, DType.FLOAT16).add(v).finish();
            long c4 = mx.getCurrentThreadCpuTime();
            double e = 20.0 * v.length;
            System.out.printf("acc f16 %.2f f32 %.2f k0 %.2f 1row %.2f ns/element cpu%n", (c1 - c0) / e, (c2 - c1) / e, (c3 - c2) / e, (c4 - c3) / e);
        }
    }
}
