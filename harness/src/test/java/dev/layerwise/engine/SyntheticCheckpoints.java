package dev.layerwise.engine;

import dev.layerwise.model.synth.Dimensions;
import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticCheckpointWriter;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.ModelDims;
import dev.layerwise.trace.Trace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Java-synthesized checkpoints for integration tests, written once per JVM into a temporary directory. */
final class SyntheticCheckpoints {
    private static final Pattern SOURCE = Pattern.compile("synthetic:([a-z0-9.\\-]+)/seed=(\\d+)");
    private static final Map<String, Path> CACHE = new ConcurrentHashMap<>();
    private static Path root;

    private SyntheticCheckpoints() {
    }

    /**
     * The checkpoint behind a reference trace: its model.source names preset and seed, its config the dtype and the
     * dimensions (a preset's, or overridden as scripts/sensitivity/shapes.sh does).
     */
    static Path behind(Trace reference) {
        Matcher m = SOURCE.matcher(String.valueOf(reference.model().source()));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a synthetic reference: " + reference.model().source());
        }
        DType stored = DType.parse(reference.model().config().path("torch_dtype").asText(reference.dtype().traceName()));
        Preset preset = Preset.parse(m.group(1));
        com.fasterxml.jackson.databind.JsonNode c = reference.model().config();
        Dimensions p = preset.dimensions();
        Dimensions d = new Dimensions(ModelDims.fromConfig(c, reference.model().source()),
                c.path("rms_norm_eps").asDouble(p.rmsNormEps()), c.path("rope_theta").asDouble(p.ropeTheta()),
                c.path("max_position_embeddings").asInt(p.maxPositionEmbeddings()));
        return of(new SyntheticModel(preset, d, Long.parseLong(m.group(2)), stored));
    }

    static Path of(SyntheticModel model) {
        Dimensions d = model.dimensions();
        String key = model.preset().cliName() + "-" + model.seed() + "-" + model.dtype().shortName() + "-" + d;
        return CACHE.computeIfAbsent(key, k -> {
            Path dir = directory().resolve("m" + CACHE.size() + "-" + model.preset().cliName() + "-"
                    + model.dtype().shortName());
            new SyntheticCheckpointWriter().write(model, dir, true);
            return dir;
        });
    }

    private static synchronized Path directory() {
        if (root == null) {
            try {
                root = Files.createTempDirectory("layerwise-engine-it");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            root.toFile().deleteOnExit();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> dev.layerwise.io.AtomicFiles.deleteTreeQuietly(root)));
        }
        return root;
    }
}
