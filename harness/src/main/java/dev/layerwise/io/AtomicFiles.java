package dev.layerwise.io;

import dev.layerwise.LayerwiseException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

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
        StagedFile.write(target.toAbsolutePath(), target, overwrite, StagedFile.streaming(body));
    }

    /** Deletes a folder Layerwise created for its own work (never a user's folder), best effort. */
    public static void deleteTreeQuietly(Path p) {
        PendingOutputs.deleteTree(p);
    }
}
