package dev.layerwise.margins;

import dev.layerwise.LayerwiseException;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/**
 * The Hugging Face reference of a preset and dtype: {@code reference-dumps/PRESET-seed1-DTYPE.json} for tiny and
 * small, {@code reference-dumps/clean-spread/tinyllama-DTYPE.cpu-eager.json} for tinyllama-1.1b; each also read
 * gzipped ({@code .json.gz}).
 */
final class SensitivityReferences {
    private SensitivityReferences() {
    }

    static Path path(Path root, String preset, String dtype) {
        Path refs = root.resolve("reference-dumps");
        return preset.equals("tinyllama-1.1b") ? refs.resolve("clean-spread/tinyllama-" + dtype + ".cpu-eager.json")
                : refs.resolve(preset + "-seed1-" + dtype + ".json");
    }

    static Trace read(Path root, String preset, String dtype) {
        Path json = path(root, preset, dtype);
        if (Files.exists(json)) {
            return TraceReader.read(json);
        }
        Path gz = json.resolveSibling(json.getFileName() + ".gz");
        if (!Files.exists(gz)) {
            throw LayerwiseException.badInput(json, null, "no such file (nor " + gz.getFileName()
                    + "); scripts/regenerate_references.sh or scripts/sensitivity/second_opinions.sh makes it");
        }
        try {
            Path plain = Files.createTempFile("layerwise-reference", ".json");
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                Files.copy(in, plain, StandardCopyOption.REPLACE_EXISTING);
                return TraceReader.read(plain).withSource(gz);
            } finally {
                Files.deleteIfExists(plain);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + gz, e);
        }
    }
}
