package dev.layerwise.model.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.layerwise.model.Tensor;
import dev.layerwise.testing.BadInput;

/** Fuzzes the safetensors header parser and tensor access (docs/fuzzing.md). */
class SafetensorsFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void openAndReadEveryTensor(byte[] bytes) {
        BadInput.parseFile("model.safetensors", bytes, file -> {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                for (TensorEntry e : f.entries()) {
                    if (e.dtype().floatType() == null) {
                        continue;
                    }
                    Tensor t = f.tensor(e.name());
                    float[] floats = new float[(int) Math.min(t.elementCount(), 1024)];
                    t.readFloats(0, floats, 0, floats.length);
                    if (t.elementCount() > 0) {
                        t.getFloat(t.elementCount() - 1);
                    }
                }
            }
        });
    }
}
