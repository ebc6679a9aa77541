package dev.layerwise.trace;

/** The random-projection sketch a trace's steps carry: Rademacher signs from SplitMix64. */
public record SketchSpec(String kind, int k, long seed) {
    public static final String RADEMACHER_SPLITMIX64 = "rademacher-splitmix64";
    public static final SketchSpec DEFAULT = new SketchSpec(RADEMACHER_SPLITMIX64, 16, 0);
}
