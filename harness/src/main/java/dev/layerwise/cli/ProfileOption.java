package dev.layerwise.cli;

import dev.layerwise.compare.TraceComparator;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --profile} option shared by compare and check (a picocli mixin). */
public final class ProfileOption {
    @Option(names = "--profile", paramLabel = "auto|FILE", defaultValue = "auto",
            description = "Tolerances: auto (derived from dtype and model) or a profile written by 'layerwise calibrate'.")
    String profile;

    /** A comparator with the default tolerances, or with the calibrated profile (read and validated now). */
    TraceComparator comparator() {
        return "auto".equals(profile) ? TraceComparator.create() : TraceComparator.create().withProfile(Path.of(profile));
    }
}
