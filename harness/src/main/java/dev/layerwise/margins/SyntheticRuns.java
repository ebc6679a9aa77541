package dev.layerwise.margins;

import dev.layerwise.engine.ReferenceRunner;
import dev.layerwise.engine.JavaEngine;
import dev.layerwise.engine.Engine;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticCheckpointWriter;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Trace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the engines on the synthetic checkpoint behind a reference trace ({@code model.source}
 * "synthetic:PRESET/seed=N", stored dtype from its config), synthesized once into a temporary directory that
 * {@link #close()} deletes.
 */
final class SyntheticRuns implements AutoCloseable {
    private static final Pattern SOURCE = Pattern.compile("synthetic:([a-z0-9.\\-]+)/seed=(\\d+)");
    private final Path root;
    private final Map<String, Path> checkpoints = new HashMap<>();

    SyntheticRuns() {
        try {
            root = Files.createTempDirectory("layerwise-margins");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The engine's trace for the reference's input: cpu in the reference's dtype, the oracle in float64. */
    Trace run(Trace reference, EngineKind engine, List<String> inject) {
        try (Engine e = JavaEngine.open(checkpoint(reference), engine)) {
            return ReferenceRunner.runLike(e, reference, RunOptions.defaults().withInject(inject),
                    reference.model().source());
        }
    }

    private Path checkpoint(Trace reference) {
        Matcher m = SOURCE.matcher(String.valueOf(reference.model().source()));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a synthetic reference: " + reference.model().source());
        }
        DType stored = DType.parse(reference.model().config().path("torch_dtype").asText(reference.dtype().traceName()));
        SyntheticModel model = SyntheticModel.of(Preset.parse(m.group(1)), Long.parseLong(m.group(2)), stored);
        String key = m.group(1) + "-" + m.group(2) + "-" + stored.shortName();
        return checkpoints.computeIfAbsent(key, k -> {
            Path dir = root.resolve(k);
            new SyntheticCheckpointWriter().write(model, dir, true);
            return dir;
        });
    }

    @Override
    public void close() {
        AtomicFiles.deleteTreeQuietly(root);
    }
}
