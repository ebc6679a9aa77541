package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.EngineTraces;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The smaller things a user sees: usage hints, help texts, number formats, one-line causes, sizes. */
class CliMessagesTest {
    @RegisterExtension
    static final EngineTraces engine = new EngineTraces();
    @TempDir
    static Path tmp;
    static Path clean;
    static Path perturbed;

    @BeforeAll
    static void traces() {
        clean = write("clean.json", engine.run(DType.FLOAT32));
        perturbed = write("perturbed.json", engine.run(DType.FLOAT32, "layers.1.up=perturb-ulp"));
    }

    static Path write(String name, Trace t) {
        Path p = tmp.resolve(name);
        TraceWriter.write(t, p, AtomicFiles.Overwrite.REFUSE);
        return p;
    }

    @Test
    void noSubcommandPointsAtTheRootHelp() {
        CliRun r = CliRun.of();
        assertEquals(2, r.exitCode());
        assertEquals("layerwise: Missing required subcommand\n(see: layerwise --help)\n", r.err());
        CliRun sub = CliRun.of("synth", "--bogus");
        assertTrue(sub.err().endsWith("(see: layerwise synth --help)\n"), sub.err());
    }

    @Test
    void synthHelpDescribesEveryOption() {
        CliRun r = CliRun.of("synth", "--help");
        assertEquals(0, r.exitCode());
        List<String> options = r.out().lines().filter(l -> l.matches(" {2,6}(-\\w, )?--[a-z-]+.*")).toList();
        assertEquals(18, options.size(), r.out());
        for (String line : options) {
            boolean describedOnItsLine = line.matches("\\s+(-\\w, )?--\\S+\\s{2,}\\S.*");
            int next = r.out().lines().toList().indexOf(line) + 1;
            String following = r.out().lines().toList().get(next);
            assertTrue(describedOnItsLine || following.matches("\\s{20,}\\S.*"), "no description: " + line);
        }
    }

    @Test
    void determinismRefusesOneFileGivenTwiceUnderAnyName() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("link.json"), clean);
        Path hard = Files.createLink(tmp.resolve("hard.json"), clean);
        for (Path other : List.of(clean, link, hard, tmp.resolve("./clean.json"))) {
            CliRun r = CliRun.of("determinism", clean.toString(), other.toString(), "--report-dir",
                    tmp.resolve("never").toString());
            assertEquals(2, r.exitCode(), r.out());
            assertEquals("layerwise: " + other + ": is the same file as " + clean + ": one run given twice proves"
                    + " nothing about determinism (give traces of separate runs)\n", r.err());
        }
        assertFalse(Files.exists(tmp.resolve("never")));
    }

    @Test
    void determinismPrintsSpreadsInTheProjectsNumberFormat() {
        CliRun r = CliRun.of("determinism", clean.toString(), perturbed.toString(), "--report-dir",
                tmp.resolve("det").toString());
        assertEquals(1, r.exitCode(), r.err());
        List<String> rows = r.out().lines().filter(l -> l.startsWith("  " + dev.layerwise.compare.Verdict.FAIL.symbol() + " ")).toList();
        assertFalse(rows.isEmpty(), r.out());
        Pattern rawDouble = Pattern.compile("\\d\\.\\d{6,}|E-?\\d|=");
        for (String row : rows) {
            assertFalse(rawDouble.matcher(row).find(), row);
            assertTrue(row.matches(".*; spread sum \\S+, sum_sq \\S+, max \\S+.*")
                    || row.matches(".*; spread (sum|sum_sq|max) \\d\\.\\d\\de[-+]\\d\\d.*"), row);
        }
    }

    @Test
    void anInMemoryCandidateIsLabelledOnce() {
        Trace candidate = engine.run(DType.FLOAT32);
        String producer = candidate.producer().describe();
        java.io.StringWriter text = new java.io.StringWriter();
        dev.layerwise.report.ConsoleSummary.print(dev.layerwise.compare.TraceComparator.create()
                .compare(engine.run(DType.FLOAT32), candidate), new java.io.PrintWriter(text));
        String line = text.toString().lines().filter(l -> l.startsWith("  candidate: ")).findFirst().orElseThrow();
        assertEquals("  candidate: " + producer + " (f32, 6 tokens)", line.replace("float32", "f32"));
    }

    @Test
    void jsonLimitsAndSyntaxErrorsAreOnePlainCause() throws Exception {
        Path longNumber = tmp.resolve("long-number.json");
        Files.writeString(longNumber, "{\"format\": " + "1".repeat(1200) + "}");
        CliRun n = CliRun.of("compare", longNumber.toString(), clean.toString(), "--report-dir", tmp.resolve("x").toString());
        assertEquals(2, n.exitCode());
        assertEquals("layerwise: " + longNumber + ": too large to read: a number has 1200 digits (at most 1000 are read)\n",
                n.err());

        Path deep = tmp.resolve("deep.json");
        Files.writeString(deep, "{\"a\":" + "[".repeat(1500));
        CliRun d = CliRun.of("compare", deep.toString(), clean.toString(), "--report-dir", tmp.resolve("x").toString());
        assertEquals("layerwise: " + deep + ": too large to read: nested 1001 levels deep (at most 1000 are read)\n",
                d.err());

        Path cut = tmp.resolve("cut.json");
        Files.writeString(cut, "{\"format\": \"layerwise-trace\",\n \"steps\": [");
        CliRun c = CliRun.of("compare", cut.toString(), clean.toString(), "--report-dir", tmp.resolve("x").toString());
        assertEquals(2, c.exitCode());
        assertTrue(c.err().startsWith("layerwise: " + cut + ": not valid JSON: Unexpected end-of-input"), c.err());
        assertTrue(c.err().endsWith(" at line 2, column 12\n"), c.err());
        for (CliRun r : List.of(n, d, c)) {
            assertFalse(r.err().contains("Constraints") || r.err().contains("Source") || r.err().contains("`")
                    || r.err().contains("REDACTED") || r.err().contains("Feature"), r.err());
        }
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void aShapeBeyond64BitsIsOneLineNotAnInternalError() {
        Path out = tmp.resolve("huge");
        CliRun r = CliRun.of("synth", "--preset", "tiny", "--seed", "1", "--dtype", "f32", "--out", out.toString(),
                "--hidden-size", "1000000000");
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("layerwise: the requested shape (hidden size 1000000000, intermediate size 176, vocabulary 512)"
                + " needs more than 2^63 bytes: far too large\n", r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aCheckpointLargerThanTheFreeDiskIsRefusedBeforeWriting() throws Exception {
        long free = Files.getFileStore(tmp).getUsableSpace();
        // Layers of about 2.1 GB each (f16), one more than the free space holds.
        Preset tiny = Preset.TINY;
        SyntheticModel oneLayer = new SyntheticModel(tiny, new dev.layerwise.model.synth.Dimensions(8192, 65536, 1, 64,
                64, 128, 512, 1e-5, 10000, 2048), 1, DType.FLOAT16);
        long perLayer = oneLayer.tensors().stream().filter(s -> s.name().startsWith("model.layers."))
                .mapToLong(s -> java.util.Arrays.stream(s.shape()).reduce(1, Math::multiplyExact)).sum() * 2;
        long layers = free / perLayer + 1;
        Path out = tmp.resolve("too-big");
        CliRun r = CliRun.of("synth", "--preset", "tiny", "--seed", "1", "--dtype", "f16", "--out", out.toString(),
                "--hidden-size", "8192", "--intermediate-size", "65536", "--num-attention-heads", "64",
                "--num-key-value-heads", "64", "--num-hidden-layers", Long.toString(layers));
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(Pattern.matches("layerwise: " + Pattern.quote(out.toString()) + ": needs [0-9.]+ [GTP]B \\([0-9,]+ bytes\\)"
                + " but its file system has [0-9.]+ [kMGTP]?B \\([0-9,]+ bytes\\) free; nothing written\n", r.err()), r.err());
        assertFalse(Files.exists(out));
    }
}
