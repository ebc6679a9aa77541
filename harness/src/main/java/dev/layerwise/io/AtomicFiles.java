package dev.layerwise.io;

import dev.layerwise.LayerwiseException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes single output files so that readers never see them half-written (temp file + rename) and nothing
 * is replaced that may not be. The rules (docs/architecture.md, "Output safety"): an existing file is
 * replaced only with {@link Overwrite#ALLOW} (--force), a folder never; a missing parent folder is an error,
 * not created; the finished file has the permissions an ordinary create gives under the user's umask.
 */
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
     * Refuses, before any work, a target that {@link #writeFile} would refuse: an existing folder, an
     * existing file without {@link Overwrite#ALLOW}, a parent that is not an existing folder.
     */
    public static void checkTarget(Path target, Overwrite overwrite) {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw LayerwiseException.badInput(target, null, "is a folder; refusing to replace it (not even with --force)");
        }
        if (overwrite == Overwrite.REFUSE && Files.exists(abs)) {
            throw LayerwiseException.badInput(target, null, "already exists; refusing to overwrite (use --force)");
        }
        Path dir = abs.getParent();
        if (!Files.isDirectory(dir)) {
            throw LayerwiseException.badInput(target, null, (Files.exists(dir) ? "parent " + dir + " is not a folder"
                    : "folder " + dir + " does not exist") + " (Layerwise does not create it; --force does not either)");
        }
    }

    /**
     * Writes {@code target} through a temporary file in the same folder, then renames it into place.
     * Refuses (exit 2, nothing written) what {@link #checkTarget} refuses.
     */
    public static void writeFile(Path target, Overwrite overwrite, Writer<OutputStream> body) {
        checkTarget(target, overwrite);
        Path abs = target.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = createTempFile(abs.getParent(), abs.getFileName().toString());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.WRITE), 1 << 16)) {
                body.write(out);
            }
            Path from = tmp;
            PendingOutputs.publish(tmp, () -> move(from, abs, overwrite));
            tmp = null;
        } catch (IOException e) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, target + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                PendingOutputs.deleteQuietly(tmp);
                PendingOutputs.done(tmp);
            }
        }
    }

    /**
     * Creates an empty hidden file {@code .NAME.<random>.tmp} in {@code dir}, registered for removal if the
     * JVM is stopped. Created like any new file (not {@link Files#createTempFile}, which makes it owner-only),
     * so it ends with the user's umask permissions once renamed.
     */
    static Path createTempFile(Path dir, String name) throws IOException {
        while (true) {
            Path tmp = dir.resolve("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                PendingOutputs.add(tmp);
                Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                PendingOutputs.done(tmp); // someone else's file: not ours to remove
            } catch (IOException e) {
                PendingOutputs.done(tmp);
                throw e;
            }
        }
    }

    /** Renames {@code from} onto {@code to}, replacing an existing file only with {@link Overwrite#ALLOW}. */
    static void move(Path from, Path to, Overwrite overwrite) throws IOException {
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
            if (overwrite == Overwrite.ALLOW) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(from, to);
            }
        }
    }

    /** Deletes a folder Layerwise created for its own work (never a user's folder), best effort. */
    public static void deleteTreeQuietly(Path p) {
        PendingOutputs.deleteTree(p);
    }
}
