package dev.layerwise.model;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.layerwise.testing.BadInput;

/** Fuzzes config.json reading (docs/fuzzing.md). */
class LlamaConfigReaderFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readConfig(byte[] bytes) {
        BadInput.parseFile("config.json", bytes, LlamaConfigReader::read);
    }
}
