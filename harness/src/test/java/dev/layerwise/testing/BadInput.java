package dev.layerwise.testing;

import dev.layerwise.LayerwiseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The contract the fuzz tests check for every parser of untrusted input: bad input ends in one
 * {@link LayerwiseException} with exit code 2 and a one-line message; any other throwable is a bug.
 */
public final class BadInput {
    private BadInput() {
    }

    /** A parse of one input file. */
    @FunctionalInterface
    public interface Parse {
        void run(Path file);
    }

    /**
     * Writes {@code bytes} to a fresh temporary file named {@code fileName}, runs {@code parse} on it and
     * deletes it again; fails unless {@code parse} returns or throws a bad-input {@link LayerwiseException}.
     */
    public static void parseFile(String fileName, byte[] bytes, Parse parse) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("layerwise-fuzz");
            Path file = Files.write(dir.resolve(fileName), bytes);
            assertOnlyBadInput(() -> parse.run(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(dir, fileName);
        }
    }

    /** Runs {@code action}; fails unless it returns or throws a bad-input {@link LayerwiseException}. */
    public static void assertOnlyBadInput(Runnable action) {
        try {
            action.run();
        } catch (LayerwiseException e) {
            if (e.exitCode() != LayerwiseException.BAD_INPUT) {
                throw new AssertionError("bad input must exit 2, got exit " + e.exitCode() + ": " + e.getMessage(), e);
            }
            String message = e.getMessage();
            if (message == null || message.isBlank() || message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0) {
                throw new AssertionError("bad input needs a one-line message, got: " + message, e);
            }
        }
    }

    private static void deleteQuietly(Path dir, String fileName) {
        if (dir == null) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve(fileName));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover temp file must not hide the parser's own outcome
        }
    }
}
