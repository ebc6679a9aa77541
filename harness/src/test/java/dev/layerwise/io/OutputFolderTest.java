package dev.layerwise.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output-safety policy of a folder Layerwise writes into (docs/architecture.md, "Output safety"). */
class OutputFolderTest {
    @TempDir
    Path tmp;

    @Test
    void aNewFolderIsCreatedWithMissingParentsAndMarked() throws IOException {
        Path dir = tmp.resolve("a/b/report");
        write(dir, false, "report.md", "one");
        assertEquals(Map.of(OutputFolder.MARKER, marker("report.md"), "report.md", "one"), contents(dir));
    }

    @Test
    void aFolderHoldingOtherFilesIsRefusedAndUntouched() throws IOException {
        Path engine = Files.createDirectories(tmp.resolve("engine"));
        Files.writeString(engine.resolve("kernel.cu"), "__global__ void k() {}");
        Files.createDirectories(engine.resolve("traces"));
        Files.writeString(engine.resolve("traces/run.json"), "{}");
        Map<String, String> before = contents(engine);

        LayerwiseException e = assertThrows(LayerwiseException.class, () -> write(engine, false, "report.md", "x"));
        assertEquals(2, e.exitCode());
        assertEquals(engine + ": holds files Layerwise did not write (kernel.cu, traces); refusing to write there"
                + " (choose a new folder, or --force to add Layerwise's files beside them)", e.getMessage());
        assertEquals(before, contents(engine));
    }

    @Test
    void forceAddsBesideOtherFilesAndNeverReplacesOne() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mixed"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        write(dir, true, "report.md", "first");
        assertEquals("mine", Files.readString(dir.resolve("notes.txt")));
        assertEquals("first", Files.readString(dir.resolve("report.md")));

        Files.writeString(dir.resolve("report.html"), "my own page");
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> write(dir, true, "report.html", "ours"));
        assertEquals(dir.resolve("report.html") + ": exists and was not written by Layerwise; not replaced (not even"
                + " with --force): move it away or choose another folder", e.getMessage());
        assertEquals("my own page", Files.readString(dir.resolve("report.html")));
    }

    @Test
    void anExistingFileGivenAsTheFolderIsRefusedEvenWithForce() throws IOException {
        Path file = Files.writeString(tmp.resolve("results"), "precious");
        for (boolean force : new boolean[] {false, true}) {
            LayerwiseException e = assertThrows(LayerwiseException.class, () -> write(file, force, "report.md", "x"));
            assertEquals(file + ": exists and is not a folder; refusing to replace it (not even with --force)",
                    e.getMessage());
        }
        assertEquals("precious", Files.readString(file));
        assertEquals(List.of("results"), contents(tmp).keySet().stream().toList());
    }

    @Test
    void aPreviousReportIsReplacedAndItsStaleFilesRemoved() throws IOException {
        Path dir = tmp.resolve("r");
        try (OutputFolder f = OutputFolder.open(dir, false, OutputFolder.Previous.REPLACE)) {
            f.writeString("report.md", "old md");
            f.writeString("report.html", "old html");
            f.commit();
        }
        write(dir, false, "report.md", "new md");
        assertEquals(Map.of(OutputFolder.MARKER, marker("report.md"), "report.md", "new md"), contents(dir));
    }

    @Test
    void aFileAddedToAPreviousReportMakesItForeign() throws IOException {
        Path dir = tmp.resolve("r");
        write(dir, false, "report.md", "old");
        Files.writeString(dir.resolve("analysis.txt"), "my notes");
        assertThrows(LayerwiseException.class, () -> write(dir, false, "report.md", "new"));
        write(dir, true, "report.md", "new");
        assertEquals("my notes", Files.readString(dir.resolve("analysis.txt")));
        assertEquals("new", Files.readString(dir.resolve("report.md")));
    }

    @Test
    void aPreviousCheckpointIsReplacedOnlyWithForce() throws IOException {
        Path dir = tmp.resolve("ckpt");
        try (OutputFolder f = OutputFolder.open(dir, false, OutputFolder.Previous.REPLACE_WITH_FORCE)) {
            f.writeString("config.json", "1");
            f.commit();
        }
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> OutputFolder.open(dir, false, OutputFolder.Previous.REPLACE_WITH_FORCE));
        assertEquals(dir + ": holds a previous Layerwise output; refusing to overwrite (use --force)", e.getMessage());
        try (OutputFolder f = OutputFolder.open(dir, true, OutputFolder.Previous.REPLACE_WITH_FORCE)) {
            f.writeString("config.json", "2");
            f.commit();
        }
        assertEquals("2", Files.readString(dir.resolve("config.json")));
    }

    @Test
    void anUnfinishedOutputRemovesTheFoldersItCreatedButNotTheUsers() throws IOException {
        Path dir = tmp.resolve("new/deeper");
        try (OutputFolder f = OutputFolder.open(dir, false, OutputFolder.Previous.REPLACE)) {
            f.writeString("report.md", "half of the work");
        }
        assertEquals(Map.of(), contents(tmp), "no folder, file or temporary file left");

        Path user = Files.createDirectories(tmp.resolve("user"));
        try (OutputFolder f = OutputFolder.open(user, false, OutputFolder.Previous.REPLACE)) {
            assertThrows(LayerwiseException.class, () -> f.write("report.md", out -> {
                throw new IOException("disk full");
            }));
        }
        assertTrue(Files.isDirectory(user));
        assertEquals(Map.of(), contents(user), "the user's empty folder stays, and stays empty");
    }

    @Test
    void theMarkerCannotClaimFilesOutsideTheFolder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("r"));
        Files.writeString(dir.resolve(OutputFolder.MARKER), "../secret\nreport.md\n");
        Files.writeString(tmp.resolve("secret"), "s");
        write(dir, false, "report.html", "x");
        assertEquals("s", Files.readString(tmp.resolve("secret")));
        assertFalse(Files.exists(dir.resolve("report.md")));
    }

    private static void write(Path dir, boolean force, String name, String text) {
        try (OutputFolder f = OutputFolder.open(dir, force, OutputFolder.Previous.REPLACE)) {
            f.writeString(name, text);
            f.commit();
        }
    }

    private static String marker(String... names) {
        return "# Written by Layerwise: the files below are its output and may be replaced by its next run here.\n"
                + "# Other files in this folder are never touched.\n" + String.join("\n", names) + "\n";
    }

    /** Every file and folder under {@code dir}, relative, with the text of each file ("/" for a folder). */
    static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(p -> !p.equals(dir)).toList()) {
                all.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "/" : Files.readString(p));
            }
        }
        return all;
    }
}
