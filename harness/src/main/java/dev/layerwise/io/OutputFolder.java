package dev.layerwise.io;

import dev.layerwise.LayerwiseException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A folder that Layerwise writes its own files into (a report, a synthetic checkpoint), under the output-safety
 * policy of docs/architecture.md:
 * <ul>
 * <li>the folder must not exist yet (it is created, with missing parents), or hold nothing but what Layerwise
 *     wrote there before, as listed in its marker file {@value #MARKER};</li>
 * <li>anything else (a file, a folder holding other files, which includes a folder holding the working
 *     directory or the inputs) is refused with one line naming the path and {@code --force};</li>
 * <li>{@code --force} only lets Layerwise add its files to a folder that also holds other things: a file of
 *     the same name that Layerwise did not write is still refused, and nothing else is touched;</li>
 * <li>only files listed in the marker are ever replaced or removed; each file is written to a temporary
 *     file and renamed into place, and an interrupted write removes its temporary file and any folder it
 *     created.</li>
 * </ul>
 */
public final class OutputFolder implements AutoCloseable {
    /** Lists, one name a line, the files Layerwise wrote in this folder. */
    public static final String MARKER = ".layerwise-output";

    /** Whether a folder holding only a previous Layerwise output may be rewritten without --force. */
    public enum Previous { REPLACE, REPLACE_WITH_FORCE }

    private final Path dir;
    private final Path shown;
    private final Set<String> previous;
    private final Set<String> written = new LinkedHashSet<>();
    private final List<Path> created;
    private boolean committed;

    private OutputFolder(Path dir, Path shown, Set<String> previous, List<Path> created) {
        this.dir = dir;
        this.shown = shown;
        this.previous = previous;
        this.created = created;
    }

    /**
     * Opens {@code folder} for writing after checking the policy above.
     *
     * @throws LayerwiseException (exit 2) naming the path when the folder may not be written
     */
    public static OutputFolder open(Path folder, boolean force, Previous previousOutput) {
        Path dir = folder.toAbsolutePath().normalize();
        Set<String> previous = check(folder, force, previousOutput);
        if (!Files.isDirectory(dir)) {
            return new OutputFolder(dir, folder, Set.of(), create(folder, dir));
        }
        return new OutputFolder(dir, folder, previous, List.of());
    }

    /**
     * Checks the policy without writing anything (commands call it before their work); returns the names
     * Layerwise wrote in the folder before.
     *
     * @throws LayerwiseException (exit 2) naming the path when the folder may not be written
     */
    public static Set<String> check(Path folder, boolean force, Previous previousOutput) {
        Path dir = folder.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw LayerwiseException.badInput(folder, null,
                    "exists and is not a folder; refusing to replace it (not even with --force)");
        }
        if (!Files.exists(dir) && Files.isSymbolicLink(dir)) {
            throw LayerwiseException.badInput(folder, null, "is a dangling link; refusing to write through it");
        }
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        Set<String> previous = readMarker(folder, dir);
        List<String> foreign = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(MARKER) && !previous.contains(n))
                    .sorted()
                    .forEach(foreign::add);
        } catch (IOException e) {
            throw LayerwiseException.badInput(folder, null, "cannot list: " + e.getMessage(), e);
        }
        if (!foreign.isEmpty() && !force) {
            throw LayerwiseException.badInput(folder, null, "holds files Layerwise did not write (" + describe(foreign)
                    + "); refusing to write there (choose a new folder, or --force to add Layerwise's files beside them)");
        }
        boolean onlyPrevious = foreign.isEmpty() && previous.stream().anyMatch(n -> Files.exists(dir.resolve(n)));
        if (onlyPrevious && !force && previousOutput == Previous.REPLACE_WITH_FORCE) {
            throw LayerwiseException.badInput(folder, null,
                    "holds a previous Layerwise output; refusing to overwrite (use --force)");
        }
        return previous;
    }

    /** The folder, as the user named it. */
    public Path path() {
        return shown;
    }

    /** Writes (or replaces, when Layerwise wrote it before) the file {@code name} in this folder. */
    public void write(String name, AtomicFiles.Writer<OutputStream> body) {
        writeFile(name, StagedFile.streaming(body));
    }

    /**
     * Like {@link #write} for writers that need the file itself (a {@link java.nio.channels.FileChannel}):
     * {@code body} fills the given empty temporary file, which is then renamed to {@code name}.
     */
    public void writeFile(String name, AtomicFiles.Writer<Path> body) {
        Path target = target(name);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw notOurs(name, "is a folder");
        }
        StagedFile.write(target, target, AtomicFiles.Overwrite.ALLOW, tmp -> {
            body.write(tmp);
            written.add(name); // the marker lists the file before it appears
            writeMarker(union(previous, written));
        });
    }

    /** Writes a text file. */
    public void writeString(String name, String text) {
        write(name, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Opens the sub-folder {@code name} as an output folder of its own (a report among several); it counts
     * as written by Layerwise here.
     */
    public OutputFolder subfolder(String name, Previous previousOutput) {
        Path target = target(name);
        written.add(name);
        writeMarker(union(previous, written));
        return open(target, false, previousOutput);
    }

    /**
     * The output is complete: files Layerwise wrote here before and did not write this time are removed, and
     * the marker lists exactly this output.
     */
    public void commit() {
        for (String name : previous) {
            if (!written.contains(name)) {
                Path stale = dir.resolve(name);
                if (Files.isRegularFile(stale, LinkOption.NOFOLLOW_LINKS)) {
                    PendingOutputs.deleteQuietly(stale);
                }
            }
        }
        writeMarker(written);
        created.forEach(PendingOutputs::done);
        committed = true;
    }

    /** Without {@link #commit()}: removes the folders this output created (the user's folders stay). */
    @Override
    public void close() {
        if (!committed) {
            for (int i = created.size() - 1; i >= 0; i--) {
                PendingOutputs.deleteTree(created.get(i));
                PendingOutputs.done(created.get(i));
            }
        }
    }

    private Path target(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")
                || name.equals(MARKER)) {
            throw new IllegalArgumentException("not a plain file name: " + name);
        }
        Path target = dir.resolve(name);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !previous.contains(name) && !written.contains(name)) {
            throw notOurs(name, "exists");
        }
        return target;
    }

    private LayerwiseException notOurs(String name, String what) {
        return LayerwiseException.badInput(shown.resolve(name), null, what + " and was not written by Layerwise;"
                + " not replaced (not even with --force): move it away or choose another folder");
    }

    private void writeMarker(Set<String> names) {
        StringBuilder text = new StringBuilder("# Written by Layerwise: the files below are its output and may be"
                + " replaced by its next run here.\n# Other files in this folder are never touched.\n");
        names.forEach(n -> text.append(n).append('\n'));
        Path marker = dir.resolve(MARKER);
        StagedFile.write(marker, marker, AtomicFiles.Overwrite.ALLOW,
                tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }

    private static Set<String> readMarker(Path folder, Path dir) {
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
            return Set.of();
        }
        try {
            Set<String> names = new TreeSet<>();
            for (String line : Files.readAllLines(marker, StandardCharsets.UTF_8)) {
                String n = line.strip();
                if (!n.isEmpty() && !n.startsWith("#") && !n.contains("/") && !n.equals("..") && !n.equals(".")) {
                    names.add(n);
                }
            }
            return names;
        } catch (IOException e) {
            throw LayerwiseException.badInput(folder.resolve(MARKER), null, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Creates {@code dir} and its missing parents like mkdir -p (the user's umask), listing what it created. */
    private static List<Path> create(Path folder, Path dir) {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing.addFirst(p);
        }
        List<Path> created = new ArrayList<>();
        try {
            for (Path p : missing) {
                PendingOutputs.add(p);
                created.add(p);
                Files.createDirectory(p);
            }
        } catch (IOException e) {
            for (int i = created.size() - 1; i >= 0; i--) {
                PendingOutputs.deleteQuietly(created.get(i));
                PendingOutputs.done(created.get(i));
            }
            throw LayerwiseException.badInput(folder, null, "cannot create: " + e.getMessage(), e);
        }
        return created;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    private static String describe(List<String> names) {
        return names.size() <= 3 ? String.join(", ", names) : String.join(", ", names.subList(0, 3)) + ", ... ("
                + names.size() + " entries)";
    }
}
