package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticCheckpointWriter;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import dev.layerwise.testing.Components;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code layerwise replay} from the command line, and the opencl-only options refused elsewhere. */
class ReplayCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void synthesize() {
        model = dir.resolve("tiny");
        new SyntheticCheckpointWriter().write(SyntheticModel.of(Preset.parse("tiny"), 1, DType.FLOAT16), model, false);
    }

    @Test
    void replayNamesTheFaultedKernelAndWritesTheComparesReports() throws Exception {
        Components.requireOpenCl();
        Path reports = dir.resolve("replay-reports");
        List<Object> r = RunCommandTest.cli("replay", "--model", model.toString(), "--engine", "opencl", "--inject",
                "layers.1.silu_gate=not-enqueued", "--report-dir", reports.toString());
        assertEquals(1, r.get(0), r.toString());
        String out = (String) r.get(1);
        assertTrue(out.contains("replay: faulted kernel layers.1.silu_gate"), out);
        assertTrue(out.contains("the whole pass first diverges at layers.1.silu_gate"), out);
        for (String f : List.of("report.md", "report.html", "report.json", "junit.xml")) {
            assertTrue(Files.isRegularFile(reports.resolve(f)), f);
        }
        List<Object> clean = RunCommandTest.cli("replay", "--model", model.toString(), "--engine", "opencl",
                "--no-hash", "--report-dir", dir.resolve("clean").toString());
        assertEquals(0, clean.get(0), clean.toString());
        assertTrue(((String) clean.get(1)).contains("replay: every kernel agrees with its op on its own inputs"));
    }

    @Test
    void replayIsForTheOpenclEngineAndNoHashForItsRuns() {
        List<Object> r = RunCommandTest.cli("replay", "--model", model.toString(), "--engine", "cpu",
                "--report-dir", dir.resolve("refused").toString());
        assertEquals(2, r.get(0));
        assertEquals("layerwise: --engine: replay replays the kernels of --engine opencl", ((String) r.get(2)).strip());
        List<Object> run = RunCommandTest.cli("run", "--model", model.toString(), "--no-hash", "--out",
                dir.resolve("x.json").toString());
        assertEquals(2, run.get(0));
        assertEquals("layerwise: --no-hash: applies to --engine opencl only", ((String) run.get(2)).strip());
    }
}
