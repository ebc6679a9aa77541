package dev.layerwise.importer;

import dev.layerwise.LayerwiseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Reads a dump file; a missing or unreadable file is bad input naming it. */
final class DumpFiles {
    private DumpFiles() {
    }

    static List<String> readLines(Path file) {
        return new String(readBytes(file), StandardCharsets.UTF_8).lines().toList();
    }

    static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw LayerwiseException.badInput(file, null, "no such file");
        } catch (IOException e) {
            throw LayerwiseException.badInput(file, null, "cannot read: " + e.getMessage());
        }
    }
}
