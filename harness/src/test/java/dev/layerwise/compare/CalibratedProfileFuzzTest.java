package dev.layerwise.compare;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.layerwise.testing.BadInput;

/** Fuzzes tolerance-profile reading (docs/fuzzing.md). */
class CalibratedProfileFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readProfile(byte[] bytes) {
        BadInput.parseFile("profile.json", bytes, CalibratedProfile::read);
    }
}
