package dev.layerwise.model.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.io.OutputFolder;
import dev.layerwise.model.HfCheckpoint;
import dev.layerwise.model.LlamaTensors;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.DType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

class SyntheticCheckpointWriterTest {
    @TempDir
    Path dir;

    /** The values pinned by docs/synthetic-checkpoints.md (from an independent implementation of the definition). */
    @ParameterizedTest
    @CsvSource({
        "FLOAT32,  b9d9890f0d527ae0ec356fe4098801d6979674090bd3c5e1907eaded253b1e2a",
        "FLOAT16,  01d5cd42726426a0cc055d8d370d07d2943193b977f8dd9e39e0b1c73c27950e",
        "BFLOAT16, a8272ca7109b1ddf85740e01b7dc2d4f5a127be3bb018767ba2040a35852bb92",
    })
    void tinySeedOneMatchesThePinnedSha256(DType dtype, String sha256) throws Exception {
        Path out = dir.resolve("tiny-" + dtype.shortName());
        new SyntheticCheckpointWriter().write(SyntheticModel.of(Preset.TINY, 1, dtype), out, false);
        assertEquals(sha256, sha256(out.resolve("model.safetensors")));
    }

    @ParameterizedTest
    @CsvSource({"1", "2", "7"})
    void theBytesDoNotDependOnTheNumberOfThreads(int threads) throws Exception {
        Path out = dir.resolve("t" + threads);
        new SyntheticCheckpointWriter(threads).write(SyntheticModel.of(Preset.TINY, 1, DType.BFLOAT16), out, false);
        assertEquals("a8272ca7109b1ddf85740e01b7dc2d4f5a127be3bb018767ba2040a35852bb92",
                sha256(out.resolve("model.safetensors")));
    }

    @Test
    void writesACheckpointThatHfCheckpointReadsBack() {
        Dimensions d = new Dimensions(32, 48, 1, 4, 1, 16, 40, 1e-6, 500000.0, 64);
        SyntheticModel model = new SyntheticModel(Preset.TINY, d, 42, DType.BFLOAT16);
        Path out = dir.resolve("custom");
        new SyntheticCheckpointWriter().write(model, out, false);
        try (HfCheckpoint c = HfCheckpoint.open(out)) {
            assertEquals(d.dims().hidden(), c.config().dims().hidden());
            assertEquals(16, c.config().dims().headDim());
            assertEquals(1e-6, c.config().rmsNormEps());
            assertEquals(500000.0, c.config().ropeTheta());
            assertEquals(DType.BFLOAT16, c.config().torchDtype());
            assertEquals(42, c.config().raw().get("synthetic").get("seed").longValue());
            assertEquals("splitmix64-uniform-v1", c.config().raw().get("synthetic").get("generator").textValue());
            assertEquals(model.tensors().size(), c.tensorNames().size());
            for (LlamaTensors.Spec spec : model.tensors()) {
                Tensor t = c.tensor(spec.name());
                assertArrayEquals(spec.shape(), t.shape());
                SyntheticWeights w = model.weights(spec);
                for (long i = 0; i < t.elementCount(); i += 7) {
                    assertEquals(w.stored(i, DType.BFLOAT16), t.getFloat(i), spec.name() + "[" + i + "]");
                }
            }
            assertEquals(Map.of("format", "pt"), c.files().getFirst().metadata());
        }
    }

    @Test
    void refusesANonEmptyOutputDirectoryWithoutForce() throws Exception {
        Path out = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(out.resolve("keep.txt"), "x");
        SyntheticModel model = SyntheticModel.of(Preset.TINY, 1, DType.FLOAT16);
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> new SyntheticCheckpointWriter().write(model, out, false));
        assertEquals(2, e.exitCode());
        assertEquals(out + ": holds files Layerwise did not write (keep.txt); refusing to write there (choose a new folder,"
                + " or --force to add Layerwise's files beside them)", e.getMessage());
        assertEquals(List.of("keep.txt"), names(out));

        new SyntheticCheckpointWriter().write(model, out, true);
        assertEquals("x", Files.readString(out.resolve("keep.txt")), "--force adds the checkpoint, never deletes");
        assertEquals("01d5cd42726426a0cc055d8d370d07d2943193b977f8dd9e39e0b1c73c27950e", sha256(out.resolve("model.safetensors")));
    }

    @Test
    void acceptsAnExistingEmptyDirectoryAndLeavesNoTemporaryFiles() throws Exception {
        Path out = Files.createDirectories(dir.resolve("empty"));
        new SyntheticCheckpointWriter().write(SyntheticModel.of(Preset.TINY, 1, DType.FLOAT32), out, false);
        assertEquals(List.of(OutputFolder.MARKER, "config.json", "model.safetensors"), names(out));
        assertEquals(List.of("empty"), names(dir));
    }

    private static List<String> names(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
