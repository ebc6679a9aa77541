package dev.layerwise.engine.opencl;

import dev.layerwise.LayerwiseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The OpenCL C sources of the engine: the repository's {@code kernels/*.cl}, packaged into the jar under
 * {@code kernels/}. {@code common.cl} (precision helpers) comes first; then one file per op family.
 */
public final class KernelSources {
    /** Every kernel file, in the order they are concatenated into one program. */
    public static final List<String> FILES = List.of("common.cl", "embedding.cl", "rmsnorm.cl", "matmul.cl",
            "rope.cl", "attention.cl", "elementwise.cl", "stats.cl");

    private KernelSources() {
    }

    /** The program source: every file in {@link #FILES} order, one after the other. */
    public static String program() {
        StringBuilder sb = new StringBuilder();
        for (String f : FILES) {
            sb.append(read(f)).append('\n');
        }
        return sb.toString();
    }

    static String read(String file) {
        try (InputStream in = KernelSources.class.getResourceAsStream("/kernels/" + file)) {
            if (in == null) {
                throw new LayerwiseException(LayerwiseException.BAD_INPUT, "kernels/" + file
                        + ": not on the class path (the jar was built without the kernels/ folder)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "kernels/" + file + ": " + e.getMessage(), e);
        }
    }
}
