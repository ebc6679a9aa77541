package dev.layerwise.model.synth;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The named shapes of docs/synthetic-checkpoints.md. */
public enum Preset {
    TINY("tiny", new Dimensions(64, 176, 2, 4, 2, 16, 512, 1e-5, 10000.0, 256)),
    SMALL("small", new Dimensions(256, 688, 4, 8, 2, 32, 2048, 1e-5, 10000.0, 512)),
    TINYLLAMA_1LAYER("tinyllama-1layer", new Dimensions(2048, 5632, 1, 32, 4, 64, 32000, 1e-5, 10000.0, 2048)),
    TINYLLAMA_1_1B("tinyllama-1.1b", new Dimensions(2048, 5632, 22, 32, 4, 64, 32000, 1e-5, 10000.0, 2048));

    private final String cliName;
    private final Dimensions dimensions;

    Preset(String cliName, Dimensions dimensions) {
        this.cliName = cliName;
        this.dimensions = dimensions;
    }

    /** The name used on the command line and in config.json ("tinyllama-1.1b"). */
    public String cliName() {
        return cliName;
    }

    public Dimensions dimensions() {
        return dimensions;
    }

    @Override
    public String toString() {
        return cliName;
    }

    /**
     * @throws IllegalArgumentException naming the presets
     */
    public static Preset parse(String name) {
        for (Preset p : values()) {
            if (p.cliName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "' (expected "
                + Arrays.stream(values()).map(Preset::cliName).collect(Collectors.joining("|")) + ")");
    }
}
