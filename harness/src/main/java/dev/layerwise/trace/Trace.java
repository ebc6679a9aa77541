package dev.layerwise.trace;

import dev.layerwise.numeric.DType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One forward pass of one model on one input, recorded step by step (trace-format-v1).
 *
 * @param source the file it was read from, or null for a trace built in memory
 */
public record Trace(
        Producer producer,
        ModelInfo model,
        DType dtype,
        Input input,
        SketchSpec sketch,
        List<Step> steps,
        List<TopLogit> topK,
        Path source) {

    public static final String FORMAT = "layerwise-trace";
    public static final int VERSION = 1;

    public Trace {
        steps = List.copyOf(steps);
        topK = topK == null ? List.of() : List.copyOf(topK);
    }

    public Optional<Step> step(String name) {
        for (Step s : steps) {
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Steps by name, in trace order. */
    public Map<String, Step> stepsByName() {
        Map<String, Step> m = new LinkedHashMap<>();
        for (Step s : steps) {
            m.put(s.name(), s);
        }
        return m;
    }

    public Trace withSteps(List<Step> newSteps) {
        return new Trace(producer, model, dtype, input, sketch, newSteps, topK, source);
    }

    public Trace withSource(Path newSource) {
        return new Trace(producer, model, dtype, input, sketch, steps, topK, newSource);
    }

    /** A short label for reports: the file name when read from disk, else the producer. */
    public String label() {
        if (source != null) {
            return source.getFileName().toString();
        }
        return producer == null ? "trace" : producer.describe();
    }
}
