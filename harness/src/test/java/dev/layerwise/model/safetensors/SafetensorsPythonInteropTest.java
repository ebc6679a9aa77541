package dev.layerwise.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.numeric.DType;
import dev.layerwise.testing.Components;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads a file written by the reference Python writer (safetensors + torch). */
class SafetensorsPythonInteropTest {
    @TempDir
    Path dir;

    private static final String WRITER = """
            import sys, torch
            from safetensors.torch import save_file
            save_file({
                "f32": torch.tensor([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.0]], dtype=torch.float32),
                "f16": torch.tensor([0.5, -65504.0, 6e-8], dtype=torch.float16),
                "bf16": torch.tensor([1.0, -3.0, 1e30], dtype=torch.bfloat16),
                "ids": torch.tensor([1, 2, 3], dtype=torch.int64),
                "scalar": torch.tensor(2.5, dtype=torch.float32),
            }, sys.argv[1], metadata={"format": "pt", "note": "interop"})
            """;

    @Test
    void readsWhatTheReferenceWriterWrites() throws Exception {
        Path python = Components.requirePython();
        Path script = Files.writeString(dir.resolve("write.py"), WRITER);
        Path file = dir.resolve("ref.safetensors");
        Process p = new ProcessBuilder(python.toString(), script.toString(), file.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        p.waitFor(120, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), output);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt", "note", "interop"), f.metadata());
            assertEquals(List.of(SafetensorsDType.I64, SafetensorsDType.F32, SafetensorsDType.F32,
                    SafetensorsDType.BF16, SafetensorsDType.F16),
                    f.entries().stream().map(TensorEntry::dtype).toList());
            assertArrayEquals(new long[] {2, 3}, f.tensor("f32").shape());
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f, 1e-3f, -7f}, floats(f, "f32"));
            assertArrayEquals(new float[] {0.5f, -65504f, Float.float16ToFloat(Float.floatToFloat16(6e-8f))}, floats(f, "f16"));
            assertArrayEquals(new float[] {1f, -3f, DType.BFLOAT16.round(1e30f)}, floats(f, "bf16"));
            assertArrayEquals(new long[0], f.tensor("scalar").shape());
            assertEquals(2.5f, f.tensor("scalar").getFloat(0));
            assertEquals(24, f.entry("ids").byteSize());
        }
    }

    private static float[] floats(SafetensorsFile f, String name) {
        var t = f.tensor(name);
        float[] out = new float[(int) t.elementCount()];
        t.readFloats(0, out, 0, out.length);
        return out;
    }
}
