package dev.layerwise.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Output that exists only while it is being written: temporary files, and folders Layerwise created for
 * an output that is not finished. One shutdown hook removes whatever is still pending when the JVM is
 * stopped (Ctrl-C, SIGTERM), so an interrupted run leaves nothing behind.
 */
final class PendingOutputs {
    private static final Set<Path> PENDING = new LinkedHashSet<>();
    private static boolean hookInstalled;

    private PendingOutputs() {
    }

    /** Removes {@code path} (a file, or a folder with its contents) if the JVM stops before {@link #done}. */
    static synchronized void add(Path path) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(PendingOutputs::removeAll, "layerwise-cleanup"));
            hookInstalled = true;
        }
        PENDING.add(path);
    }

    /** {@code path} is finished (renamed into place) or already removed: the hook leaves it alone. */
    static synchronized void done(Path path) {
        PENDING.remove(path);
    }

    /**
     * Runs {@code step} (typically the rename that publishes a finished file) while the hook cannot run, so
     * an interruption either removes the temporary file or finds it published, never half of each.
     */
    static synchronized <E extends Exception> void publish(Path path, Step<E> step) throws E {
        step.run();
        PENDING.remove(path);
    }

    @FunctionalInterface
    interface Step<E extends Exception> {
        void run() throws E;
    }

    private static synchronized void removeAll() {
        List<Path> newestFirst = new ArrayList<>(PENDING);
        java.util.Collections.reverse(newestFirst);
        newestFirst.forEach(PendingOutputs::deleteTree);
        PENDING.clear();
    }

    /** Deletes {@code p} and, when it is a folder, everything in it; best effort. */
    static void deleteTree(Path p) {
        if (p == null || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(PendingOutputs::deleteQuietly);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: the caller reports the original failure
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the caller reports the original failure
        }
    }
}
