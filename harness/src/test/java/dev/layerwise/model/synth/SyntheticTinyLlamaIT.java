package dev.layerwise.model.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.model.HfCheckpoint;
import dev.layerwise.model.LlamaTensors;
import dev.layerwise.model.Tensor;
import dev.layerwise.model.safetensors.TensorEntry;
import dev.layerwise.numeric.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generates the full-size TinyLlama-1.1B synthetic checkpoint (2.2 GB, bf16) and reads it back. */
class SyntheticTinyLlamaIT {
    @TempDir
    Path dir;

    @Test
    void theFullSizeBf16CheckpointReadsBackWithTheGeneratorsValues() throws Exception {
        SyntheticModel model = SyntheticModel.of(Preset.TINYLLAMA_1_1B, 7, DType.BFLOAT16);
        Path out = dir.resolve("tinyllama");
        new SyntheticCheckpointWriter().write(model, out, false);
        assertTrue(Files.size(out.resolve("model.safetensors")) > (1L << 31), "the file must exceed 2 GiB");

        try (HfCheckpoint c = HfCheckpoint.open(out)) {
            List<LlamaTensors.Spec> specs = model.tensors();
            assertEquals(201, specs.size());
            assertEquals(201, c.tensorNames().size());
            long params = 0;
            for (LlamaTensors.Spec spec : specs) {
                Tensor t = c.tensor(spec.name());
                assertArrayEquals(spec.shape(), t.shape(), spec.name());
                assertEquals(DType.BFLOAT16, t.dtype());
                params += t.elementCount();
            }
            assertEquals(1_100_048_384L, params);

            // model.norm.weight is the last tensor in the file: its bytes lie beyond 2 GiB.
            TensorEntry last = c.files().getFirst().entries().getLast();
            assertEquals(LlamaTensors.FINAL_NORM, last.name());
            assertTrue(c.files().getFirst().header().dataStart() + last.begin() > (1L << 31));
            for (String name : List.of(LlamaTensors.FINAL_NORM, LlamaTensors.LM_HEAD, LlamaTensors.EMBED,
                    "model.layers.21.mlp.down_proj.weight", "model.layers.9.self_attn.k_proj.weight")) {
                Tensor t = c.tensor(name);
                SyntheticWeights w = SyntheticWeights.of(7, name, t.shape());
                long n = t.elementCount();
                for (long i : new long[] {0, 1, n / 2, n - 1}) {
                    assertEquals(w.stored(i, DType.BFLOAT16), t.getFloat(i), name + "[" + i + "]");
                }
            }
        }
    }
}
