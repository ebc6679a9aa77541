package dev.layerwise.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which engine runs the model: float32 compute rounded to the model dtype (on the CPU or on an OpenCL
 * device), or the float64 oracle.
 */
public enum EngineKind {
    CPU("layerwise-cpu"),
    ORACLE("layerwise-oracle"),
    /** The forward pass as OpenCL kernels (kernels/*.cl), float32 compute rounded like CPU. */
    OPENCL("layerwise-opencl");

    private final String producerName;

    EngineKind(String producerName) {
        this.producerName = producerName;
    }

    public String producerName() {
        return producerName;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a CLI name ("cpu", "opencl", "oracle").
     *
     * @throws IllegalArgumentException naming the engines
     */
    public static EngineKind parse(String name) {
        for (EngineKind k : values()) {
            if (k.cliName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + name + "' (expected "
                + Arrays.stream(values()).map(EngineKind::cliName).collect(Collectors.joining(", ")) + ")");
    }
}
