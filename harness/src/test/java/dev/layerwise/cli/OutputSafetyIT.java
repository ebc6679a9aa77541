package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.io.AtomicFiles;
import dev.layerwise.io.OutputFolder;
import dev.layerwise.numeric.DType;
import dev.layerwise.compare.EngineTraces;
import dev.layerwise.trace.TraceWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What only a real process shows: the working directory inside the report folder, the user's umask on
 * every output, and an interrupted synth leaving nothing behind.
 */
class OutputSafetyIT {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();
    @TempDir
    static Path traces;
    static Path a;
    static Path b;

    @TempDir
    Path tmp;

    @BeforeAll
    static void traces() {
        a = traces.resolve("a.json");
        b = traces.resolve("b.json");
        TraceWriter.write(engine.run(DType.FLOAT32), a, AtomicFiles.Overwrite.REFUSE);
        TraceWriter.write(engine.run(DType.FLOAT16), b, AtomicFiles.Overwrite.REFUSE);
    }

    @Test
    void aReportDirHoldingTheWorkingDirectoryIsRefusedAndLeftAsItWas(@TempDir Path logs) throws Exception {
        Path proj = Files.createDirectories(tmp.resolve("proj"));
        Files.writeString(proj.resolve("engine.c"), "int main(void) { return 0; }\n");
        Path inside = Files.createDirectories(proj.resolve("build"));
        Files.copy(a, proj.resolve("ref.json"));
        Map<String, String> before = snapshot(tmp);

        ChildCli.Result r = ChildCli.run(inside, "022", logs, "compare", "../ref.json", b.toString(), "--report-dir", "..");
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("layerwise: ..: holds files Layerwise did not write (build, engine.c, ref.json); refusing to write"
                + " there (choose a new folder, or --force to add Layerwise's files beside them)\n", r.err());
        ChildCli.Result up = ChildCli.run(inside, "022", logs, "compare", "../ref.json", b.toString(), "--report-dir",
                "../../proj");
        assertEquals(2, up.exitCode(), up.err());
        assertEquals(before, snapshot(tmp), "nothing moved, replaced or added");
    }

    @ParameterizedTest
    @CsvSource({"022, rw-r--r--, rwxr-xr-x", "077, rw-------, rwx------"})
    void everyOutputGetsTheUsersUmask(String umask, String filePermissions, String folderPermissions) throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Path reports = tmp.resolve("reports/cmp");
        assertEquals(0, ChildCli.run(tmp, umask, logs, "compare", a.toString(), b.toString(), "--report-dir",
                reports.toString()).exitCode(), ChildCli.stderr(logs));
        assertEquals(folderPermissions, permissions(tmp.resolve("reports")));
        assertEquals(folderPermissions, permissions(reports));
        for (String name : List.of(OutputFolder.MARKER, "report.md", "report.html", "report.json", "junit.xml")) {
            assertEquals(filePermissions, permissions(reports.resolve(name)), name);
        }
        Path profile = tmp.resolve("profile.json");
        assertEquals(0, ChildCli.run(tmp, umask, logs, "calibrate", a.toString(), traces.resolve("a.json").toString(),
                "--out", profile.toString()).exitCode(), ChildCli.stderr(logs));
        assertEquals(filePermissions, permissions(profile));

        Path model = tmp.resolve("model");
        assertEquals(0, ChildCli.run(tmp, umask, logs, "synth", "--preset", "tiny", "--seed", "1", "--dtype", "f32",
                "--out", model.toString()).exitCode(), ChildCli.stderr(logs));
        assertEquals(folderPermissions, permissions(model));
        assertEquals(filePermissions, permissions(model.resolve("model.safetensors")));
        assertEquals(filePermissions, permissions(model.resolve("config.json")));
        Path trace = tmp.resolve("run.json");
        assertEquals(0, ChildCli.run(tmp, umask, logs, "run", "--model", model.toString(), "--tokens", "1 2 3",
                "--threads", "2", "--out", trace.toString()).exitCode(), ChildCli.stderr(logs));
        assertEquals(filePermissions, permissions(trace));
    }

    @Test
    void anInterruptedSynthLeavesNothing() throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Path parent = Files.createDirectories(tmp.resolve("models"));
        Path out = parent.resolve("big");
        // f32, about 2.3 GB: far more than is written before the first bytes are seen below.
        Process p = ChildCli.start(tmp, "022", logs, "synth", "--preset", "tiny", "--seed", "1", "--dtype", "f32",
                "--out", out.toString(), "--hidden-size", "4096", "--num-attention-heads", "32",
                "--num-key-value-heads", "32", "--intermediate-size", "11008", "--num-hidden-layers", "4",
                "--vocab-size", "32000");
        Path partial = waitForPartialSafetensors(p, out);
        assertTrue(Files.size(partial) > 0);
        p.destroy(); // SIGTERM, as from kill or a CI timeout; the shutdown hook must clean up
        int code = p.waitFor();
        assertTrue(code != 0, "killed mid-write, exit " + code);
        assertEquals(Map.of(), snapshot(parent), "neither the folder nor a temporary file is left");
    }

    /** Polls the child (not a timed test: it only waits for a state; it fails if the child ends first). */
    private static Path waitForPartialSafetensors(Process p, Path out) throws Exception {
        while (p.isAlive()) {
            if (Files.isDirectory(out)) {
                try (Stream<Path> files = Files.list(out)) {
                    var tmp = files.filter(f -> f.getFileName().toString().startsWith(".model.safetensors.")).findFirst();
                    if (tmp.isPresent() && Files.size(tmp.get()) > (1 << 20)) {
                        return tmp.get();
                    }
                } catch (IOException raced) {
                    // the file was renamed or removed between list and size: look again
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("synth ended (exit " + p.exitValue() + ") before a partial file was seen");
    }

    private static String permissions(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(p -> !p.equals(dir)).toList()) {
                all.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "/" : Files.readString(p));
            }
        }
        return all;
    }
}
