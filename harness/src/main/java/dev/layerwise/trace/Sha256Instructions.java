package dev.layerwise.trace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Whether this CPU computes SHA-256 in hardware. Where it does (x86 {@code sha_ni}, Arm {@code sha2}), the JDK's
 * {@code MessageDigest} uses those instructions and hashing many steps at once in vector lanes gains nothing
 * (measured on an AMD EPYC with sha_ni: 0.67-0.82 ns/byte either way at 512 bits, lanes 1.1 at 256 bits); where it
 * does not, lanes are several times cheaper (docs/performance.md).
 *
 * <p>Read from {@code /proc/cpuinfo}; where that cannot be read (not Linux) the answer is "yes", so that such a
 * machine keeps the JDK's digest, which is never slower than it was.
 */
final class Sha256Instructions {
    private static final boolean PRESENT = detect(Path.of("/proc/cpuinfo"));

    private Sha256Instructions() {
    }

    static boolean present() {
        return PRESENT;
    }

    static boolean detect(Path cpuinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo);
        } catch (IOException | RuntimeException e) {
            return true;
        }
        return inCpuinfo(lines);
    }

    /** True unless a "flags" (x86) or "Features" (Arm) line is present and lists no SHA-256 extension. */
    static boolean inCpuinfo(List<String> lines) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            if (key.equals("flags") || key.equals("Features")) {
                List<String> features = Arrays.asList(line.substring(colon + 1).trim().split("\\s+"));
                return features.contains("sha_ni") || features.contains("sha2");
            }
        }
        return true;
    }
}
