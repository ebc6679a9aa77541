package dev.layerwise.engine;

import java.util.Locale;

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
}
