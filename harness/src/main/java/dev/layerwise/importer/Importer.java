package dev.layerwise.importer;

import java.nio.file.Path;

/** Converts one foreign dump file into a trace-format-v1 trace. */
public interface Importer {

    /**
     * Reads {@code file}. Bad input is a {@link dev.layerwise.LayerwiseException} (exit 2) naming the file
     * and the line or field.
     */
    ImportResult read(Path file, ImportOptions options);
}
