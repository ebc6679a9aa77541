package dev.layerwise.trace;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256InstructionsTest {
    @Test
    void x86FlagsDecide() {
        assertTrue(Sha256Instructions.inCpuinfo(List.of("processor\t: 0", "flags\t\t: fpu avx2 sha_ni avx512f")));
        assertFalse(Sha256Instructions.inCpuinfo(List.of("processor\t: 0", "flags\t\t: fpu avx2 avx512f sha")));
    }

    @Test
    void armFeaturesDecide() {
        assertTrue(Sha256Instructions.inCpuinfo(List.of("Features\t: fp asimd aes pmull sha1 sha2 crc32")));
        assertFalse(Sha256Instructions.inCpuinfo(List.of("Features\t: fp asimd crc32")));
    }

    @Test
    void unknownMeansTheJdkDigestIsKept(@TempDir Path dir) throws Exception {
        assertTrue(Sha256Instructions.inCpuinfo(List.of("model name\t: something")));
        assertTrue(Sha256Instructions.detect(dir.resolve("missing")));
        Path file = dir.resolve("cpuinfo");
        Files.writeString(file, "flags\t: fpu avx2\n");
        assertFalse(Sha256Instructions.detect(file));
    }
}
