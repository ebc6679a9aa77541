package dev.layerwise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.testing.Components;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A clone of the repository is the whole project: no code, test, script or document may read or link files
 * outside it (the folder of shared notes that sits beside the checkout on development machines).
 */
class RepositoryIsSelfContainedTest {
    /** A path to the sibling folder, or to one of its sub-folders. */
    private static final Pattern OUTSIDE = Pattern.compile("\\.\\./shared|shared/(spec|seeds|external)");
    private static final Set<String> NOT_SOURCES = Set.of(".git", "target", ".venv", "reports", "node_modules",
            "__pycache__");
    private static final long LARGEST_TEXT = 4L << 20;

    @Test
    void nothingInTheRepositoryPointsOutsideIt() throws IOException {
        Path root = Components.repoRoot();
        List<String> hits;
        try (Stream<Path> files = Files.walk(root)) {
            hits = files.filter(Files::isRegularFile)
                    .filter(f -> Stream.of(root.relativize(f).toString().split("/")).noneMatch(NOT_SOURCES::contains))
                    .flatMap(f -> offendingLines(root, f))
                    .toList();
        }
        assertEquals(List.of(), hits);
    }

    private static Stream<String> offendingLines(Path root, Path file) {
        try {
            if (Files.size(file) > LARGEST_TEXT) {
                return Stream.empty();
            }
            List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).lines().toList();
            return IntStream.range(0, lines.size()).filter(i -> OUTSIDE.matcher(lines.get(i)).find())
                    .mapToObj(i -> root.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
