package dev.layerwise.io;

import dev.layerwise.LayerwiseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Refuses an output that cannot fit on its file system before any byte of it is written. */
public final class DiskSpace {
    private DiskSpace() {
    }

    /**
     * Checks that {@code bytes} fit in the usable space of the file system that will hold {@code target} (the
     * nearest existing folder on its path).
     *
     * @throws LayerwiseException (exit 2) with the needed and the free size when they do not
     */
    public static void require(Path target, long bytes) {
        Path existing = target.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        long free;
        try {
            free = Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            return; // no figure to check against: the write itself reports a full disk
        }
        if (bytes > free) {
            throw LayerwiseException.badInput(target, null, "needs " + size(bytes) + " but its file system has "
                    + size(free) + " free; nothing written");
        }
    }

    /** A byte count for people: {@code 14.9 GB (14,912,345,678 bytes)}. */
    static String size(long bytes) {
        String[] units = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s (%,d bytes)", v, units[u], bytes);
    }
}
