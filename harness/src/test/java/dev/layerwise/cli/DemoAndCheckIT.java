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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo story end to end, and check's exit codes, through the CLI in-process. */
class DemoAndCheckIT {

    @Test
    void demoPassesTheCleanRunAndCatchesTheSiluFaultAtLayerZero(@TempDir Path dir) throws Exception {
        List<Object> r = RunCommandTest.cli("demo", "--report-dir", dir.toString(), "--threads", "2");
        String out = (String) r.get(1);
        assertEquals(0, r.get(0), out + r.get(2));
        assertTrue(out.contains("clean run: passes; planted fault: caught at layers.0.silu_gate"), out);
        for (String sub : List.of("clean", "silu-zero")) {
            for (String f : List.of("report.md", "report.html", "report.json", "junit.xml")) {
                assertTrue(Files.isRegularFile(dir.resolve(sub).resolve(f)), sub + "/" + f);
            }
        }
        assertTrue(out.lines().filter(l -> l.startsWith("  candidate: "))
                .allMatch(l -> l.indexOf("layerwise-cpu") == l.lastIndexOf("layerwise-cpu")), "label once: " + out);

        List<Object> again = RunCommandTest.cli("demo", "--report-dir", dir.toString(), "--threads", "2");
        assertEquals(0, again.get(0), "a previous demo's reports are replaced: " + again.get(2));
        Path mine = dir.resolve("clean/notes.txt");
        Files.writeString(mine, "mine");
        List<Object> refused = RunCommandTest.cli("demo", "--report-dir", dir.toString(), "--threads", "2");
        assertEquals(2, refused.get(0));
        assertEquals("layerwise: " + dir.resolve("clean") + ": holds files Layerwise did not write (notes.txt); refusing"
                + " to write there (choose a new folder, or --force to add Layerwise's files beside them)\n", refused.get(2));
        assertEquals("mine", Files.readString(mine));
    }

    @Test
    void checkExitsZeroWhenCleanOneOnAFaultAndTwoOnForeignTokens(@TempDir Path dir) {
        Path model = dir.resolve("tiny-f32");
        new SyntheticCheckpointWriter().write(SyntheticModel.of(Preset.parse("tiny"), 1, DType.FLOAT32), model, false);
        String reference = Components.repoRoot().resolve("reference-dumps/tiny-seed1-f32.json").toString();
        assertEquals(0, RunCommandTest.cli("check", "--model", model.toString(), "--reference", reference,
                "--report-dir", dir.resolve("r0").toString()).get(0));
        List<Object> faulty = RunCommandTest.cli("check", "--model", model.toString(), "--reference", reference,
                "--inject", "layers.1.attn_probs=stale:layers.0.attn_probs", "--report-dir", dir.resolve("r1").toString());
        assertEquals(1, faulty.get(0));
        assertTrue(((String) faulty.get(1)).contains("first divergence at layers.1.attn_probs"), (String) faulty.get(1));
        String small = Components.repoRoot().resolve("reference-dumps/small-seed1-f16.json").toString();
        List<Object> foreign = RunCommandTest.cli("check", "--model", model.toString(), "--reference", small,
                "--report-dir", dir.resolve("r2").toString());
        assertEquals(2, foreign.get(0));
        assertTrue(((String) foreign.get(2)).contains("input.token_ids: position 0: token id 529 is outside the"
                + " vocabulary (vocab_size 512)"), (String) foreign.get(2));
    }

    @Test
    void rerunReportsTheEngineDeterministic(@TempDir Path dir) {
        Path model = dir.resolve("tiny-bf16");
        new SyntheticCheckpointWriter().write(SyntheticModel.of(Preset.parse("tiny"), 2, DType.BFLOAT16), model, false);
        List<Object> r = RunCommandTest.cli("rerun", "--model", model.toString(), "--runs", "3", "--threads", "3",
                "--report-dir", dir.resolve("rep").toString());
        assertEquals(0, r.get(0), r.toString());
        assertTrue(((String) r.get(1)).contains("DETERMINISTIC over 3 runs"), (String) r.get(1));
        assertTrue(Files.isRegularFile(dir.resolve("rep/report.json")));
    }
}
