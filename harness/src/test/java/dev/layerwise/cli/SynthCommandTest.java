package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.model.HfCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesAPresetWithOverrides() {
        Path out = dir.resolve("m");
        CliRun r = CliRun.of("synth", "--preset", "tiny", "--seed", "5", "--dtype", "f16", "--out", out.toString(),
                "--hidden-size", "32", "--num-attention-heads", "2", "--num-key-value-heads", "1", "--vocab-size", "100",
                "--num-hidden-layers", "1", "--intermediate-size", "40", "--rms-norm-eps", "1e-6", "--rope-theta", "500000",
                "--max-position-embeddings", "128");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("wrote " + out + " (tiny, seed 5, f16): 12 tensors, 13,408 parameters"), r.out());
        try (HfCheckpoint c = HfCheckpoint.open(out)) {
            assertEquals(32, c.config().dims().hidden());
            assertEquals(16, c.config().dims().headDim());
            assertEquals(1, c.config().dims().kvHeads());
            assertEquals(100, c.config().dims().vocab());
            assertEquals(40, c.config().dims().intermediate());
            assertEquals(1e-6, c.config().rmsNormEps());
            assertEquals(500000.0, c.config().ropeTheta());
            assertEquals(128, c.config().maxPositionEmbeddings());
            assertEquals("float16", c.config().raw().get("torch_dtype").textValue());
        }
    }

    @Test
    void headDimCanBeOverridden() {
        Path out = dir.resolve("hd");
        CliRun r = CliRun.of("synth", "--preset", "tiny", "--seed", "1", "--dtype", "bf16", "--out", out.toString(),
                "--head-dim", "32");
        assertEquals(0, r.exitCode(), r.err());
        try (HfCheckpoint c = HfCheckpoint.open(out)) {
            assertEquals(32, c.config().dims().headDim());
            assertEquals(4 * 32, c.tensor("model.layers.0.self_attn.q_proj.weight").shape()[0]);
        }
    }

    @Test
    void replacesAPreviousCheckpointOnlyWithForce() throws Exception {
        Path out = dir.resolve("m");
        assertEquals(0, CliRun.of("synth", "--preset", "tiny", "--seed", "1", "--dtype", "f32", "--out", out.toString()).exitCode());
        CliRun again = CliRun.of("synth", "--preset", "tiny", "--seed", "2", "--dtype", "f32", "--out", out.toString());
        assertEquals(2, again.exitCode());
        assertEquals("layerwise: " + out + ": holds a previous Layerwise output; refusing to overwrite (use --force)\n", again.err());
        assertTrue(Files.readString(out.resolve("config.json")).contains("\"seed\" : 1"));
        CliRun forced = CliRun.of("synth", "--preset", "tiny", "--seed", "2", "--dtype", "f32", "--out", out.toString(), "--force");
        assertEquals(0, forced.exitCode(), forced.err());
        assertTrue(Files.readString(out.resolve("config.json")).contains("\"seed\" : 2"));
    }

    @Test
    void rejectsBadOptionsWithOneLine() {
        assertOneLineError("--num-attention-heads: 3 does not divide --hidden-size 64", "--num-attention-heads", "3");
        assertOneLineError("--num-key-value-heads: 3 does not divide --num-attention-heads 4", "--num-key-value-heads", "3");
        assertOneLineError("--hidden-size: must be a positive integer, found 0", "--hidden-size", "0");
        assertOneLineError("--rms-norm-eps: must be a positive number, found -1.0", "--rms-norm-eps", "-1");
        assertOneLineError("--head-dim: 15 is odd; RoPE rotates pairs of dimensions", "--head-dim", "15");
    }

    @Test
    void rejectsUnknownPresetsAndDtypes() {
        CliRun p = CliRun.of("synth", "--preset", "huge", "--seed", "1", "--dtype", "f32", "--out", dir.resolve("x").toString());
        assertEquals(2, p.exitCode());
        assertEquals("layerwise: --preset: unknown preset 'huge' (expected tiny|small|tinyllama-1layer|tinyllama-1.1b)\n", p.err());
        CliRun d = CliRun.of("synth", "--preset", "tiny", "--seed", "1", "--dtype", "int8", "--out", dir.resolve("x").toString());
        assertEquals(2, d.exitCode());
        assertTrue(d.err().startsWith("layerwise: --dtype: unknown dtype 'int8'"), d.err());
        CliRun s = CliRun.of("synth", "--preset", "tiny", "--seed", "-3", "--dtype", "f32", "--out", dir.resolve("x").toString());
        assertEquals(2, s.exitCode());
        assertEquals("layerwise: --seed: must be a non-negative integer, found -3\n", s.err());
        assertFalse(Files.exists(dir.resolve("x")));
    }

    private void assertOneLineError(String message, String... override) {
        String[] base = {"synth", "--preset", "tiny", "--seed", "1", "--dtype", "f32", "--out", dir.resolve("bad").toString()};
        String[] args = new String[base.length + override.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(override, 0, args, base.length, override.length);
        CliRun r = CliRun.of(args);
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("layerwise: " + message + "\n", r.err());
        assertFalse(Files.exists(dir.resolve("bad")));
    }
}
