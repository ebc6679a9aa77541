package dev.layerwise.trace;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.layerwise.testing.BadInput;

/** Fuzzes trace JSON reading (docs/fuzzing.md). */
class TraceReaderFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readTrace(byte[] bytes) {
        BadInput.parseFile("trace.json", bytes, TraceReader::read);
    }
}
