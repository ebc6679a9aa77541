package dev.layerwise.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.testing.Components;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading the CPU OpenCL driver (PoCL, through LLVM) replaces the JVM's handlers of signals the JVM uses itself;
 * the launcher and the test JVMs preload the JDK's signal-chaining library so that the JVM's stay in place. The
 * JVM's {@code -Xcheck:jni} lists every handler found replaced ("handler modified").
 */
@EnabledOnOs(OS.LINUX)
class SignalHandlersIT {

    @Test
    void theLauncherKeepsTheJvmsSignalHandlersAfterTheOpenClDriverLoads(@TempDir Path dir) throws Exception {
        Components.requireOpenCl();
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", "scripts/layerwise", "devices"))
                .directory(Components.repoRoot().toFile())
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(err.toFile());
        // what the launcher itself sets up, not what this test JVM inherited from Maven
        pb.environment().remove("LD_PRELOAD");
        pb.environment().put("LAYERWISE_JAVA_OPTS", "-Xcheck:jni");
        pb.environment().put("LAYERWISE_CDS", "0");
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "layerwise devices did not finish");
        // the JVM prints its warnings about replaced handlers on standard output
        String output = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8)
                + Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        assertFalse(output.contains("handler modified"), output);
    }

    @Test
    void testJvmsPreloadTheSignalChainingLibrary() {
        String preload = System.getenv("LD_PRELOAD");
        assertTrue(preload != null && preload.contains("libjsig.so"), "LD_PRELOAD=" + preload);
    }
}
