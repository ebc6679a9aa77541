package dev.layerwise.io;

import dev.layerwise.LayerwiseException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Writes files and directories so that readers never see them half-written: temp + rename. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    @FunctionalInterface
    public interface Writer<T> {
        void write(T target) throws IOException;
    }

    /** What to do when the target already exists. */
    public enum Overwrite { ALLOW, REFUSE }

    /**
     * Writes {@code target} through a temporary file in the same directory, then renames it into place.
     * With {@link Overwrite#REFUSE} an existing target is an error (exit 2) and nothing is written.
     */
    public static void writeFile(Path target, Overwrite overwrite, Writer<OutputStream> body) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (overwrite == Overwrite.REFUSE && Files.exists(abs)) {
            throw LayerwiseException.badInput(target, null, "already exists; refusing to overwrite (use --force)");
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                body.write(out);
            }
            move(tmp, abs, overwrite);
            tmp = null;
        } catch (IOException e) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, target + ": cannot write: " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * Builds a directory in a temporary sibling, then swaps it into place: an existing directory is
     * replaced whole (never half-overwritten) when {@code overwrite} is ALLOW.
     */
    public static void writeDirectory(Path target, Overwrite overwrite, Writer<Path> body) {
        Path abs = target.toAbsolutePath();
        Path parent = abs.getParent();
        if (overwrite == Overwrite.REFUSE && Files.exists(abs)) {
            throw LayerwiseException.badInput(target, null, "already exists; refusing to overwrite (use --force)");
        }
        Path tmp = null;
        Path old = null;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".");
            body.write(tmp);
            if (Files.exists(abs)) {
                old = Files.createTempDirectory(parent, "." + abs.getFileName() + ".old.");
                Files.delete(old);
                Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            if (old != null && !Files.exists(abs)) {
                try {
                    Files.move(old, abs, StandardCopyOption.ATOMIC_MOVE);
                    old = null;
                } catch (IOException ignored) {
                    // the old directory stays at its temporary name; the message below says what failed
                }
            }
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, target + ": cannot write: " + e.getMessage(), e);
        } finally {
            deleteTreeQuietly(tmp);
            deleteTreeQuietly(old);
        }
    }

    private static void move(Path from, Path to, Overwrite overwrite) throws IOException {
        try {
            if (overwrite == Overwrite.ALLOW) {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                // A hard link fails if the target appeared meanwhile: no silent overwrite even in a race.
                Files.createLink(to, from);
                Files.delete(from);
            }
        } catch (FileAlreadyExistsException e) {
            throw LayerwiseException.badInput(to, null, "already exists; refusing to overwrite (use --force)");
        } catch (AtomicMoveNotSupportedException | UnsupportedOperationException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: a stray temp file is harmless
            }
        }
    }

    public static void deleteTreeQuietly(Path p) {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(AtomicFiles::deleteQuietly);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
