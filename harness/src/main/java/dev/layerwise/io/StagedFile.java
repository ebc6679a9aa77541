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
 * The one way an output file comes into being, for {@link AtomicFiles} and {@link OutputFolder} alike: written to a
 * hidden temporary file beside the target, renamed into place, and removed instead if the write fails or the JVM
 * is stopped first ({@link PendingOutputs}). The callers decide whether the target may be written at all.
 */
final class StagedFile {
    private StagedFile() {
    }

    /**
     * Fills a temporary file beside {@code target} with {@code fill} and renames it onto {@code target}.
     *
     * @param shown the target as the user named it, for the error message
     * @throws LayerwiseException (exit 2) when the file cannot be written; the temporary file is gone then
     */
    static void write(Path target, Object shown, AtomicFiles.Overwrite overwrite, AtomicFiles.Writer<Path> fill) {
        Path tmp = null;
        try {
            tmp = createTempFile(target.getParent(), target.getFileName().toString());
            fill.write(tmp);
            Path from = tmp;
            PendingOutputs.publish(tmp, () -> move(from, target, overwrite));
            tmp = null;
        } catch (IOException e) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, shown + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                PendingOutputs.deleteQuietly(tmp);
                PendingOutputs.done(tmp);
            }
        }
    }

    /** A file filler that writes the stream {@code body} produces (buffered). */
    static AtomicFiles.Writer<Path> streaming(AtomicFiles.Writer<OutputStream> body) {
        return tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.WRITE), 1 << 16)) {
                body.write(out);
            }
        };
    }

    /**
     * Creates an empty hidden file {@code .NAME.<random>.tmp} in {@code dir}, registered for removal if the
     * JVM is stopped. Created like any new file (not {@link Files#createTempFile}, which makes it owner-only),
     * so it ends with the user's umask permissions once renamed.
     */
    private static Path createTempFile(Path dir, String name) throws IOException {
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

    /** Renames {@code from} onto {@code to}, replacing an existing file only with {@link AtomicFiles.Overwrite#ALLOW}. */
    private static void move(Path from, Path to, AtomicFiles.Overwrite overwrite) throws IOException {
        try {
            if (overwrite == AtomicFiles.Overwrite.ALLOW) {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                // A hard link fails if the target appeared meanwhile: no silent overwrite even in a race.
                Files.createLink(to, from);
                Files.delete(from);
            }
        } catch (FileAlreadyExistsException e) {
            throw LayerwiseException.badInput(to, null, "already exists; refusing to overwrite (use --force)");
        } catch (AtomicMoveNotSupportedException | UnsupportedOperationException e) {
            if (overwrite == AtomicFiles.Overwrite.ALLOW) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(from, to);
            }
        }
    }
}
