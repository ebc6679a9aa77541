package dev.layerwise.engine;

import dev.layerwise.numeric.DType;
import dev.layerwise.trace.SketchSpec;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepAccumulator;
import java.util.ArrayList;
import java.util.List;

/** Turns every recorded step into a trace {@link Step} with the shared {@link StepAccumulator}. */
public final class TraceRecorder implements StepRecorder {
    private final StepAccumulator accumulator;
    private final List<Step> steps = new ArrayList<>();

    public TraceRecorder(SketchSpec sketch) {
        this.accumulator = new StepAccumulator(sketch);
    }

    @Override
    public void record(String name, long[] shape, DType dtype, float[] values, int length) {
        steps.add(accumulator.begin(name, shape, dtype).add(values, 0, length).finish());
    }

    @Override
    public void record(String name, long[] shape, DType dtype, double[] values, int length) {
        steps.add(accumulator.begin(name, shape, dtype).add(values, 0, length).finish());
    }

    public List<Step> steps() {
        return List.copyOf(steps);
    }
}
