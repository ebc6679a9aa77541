package dev.layerwise.engine.opencl;

/**
 * Options of the opencl engine: which device ({@code null}: the first GPU, else the first device; see
 * {@link OpenClDevices#select}), poison mode (every step's output filled with a NaN sentinel before
 * its kernel runs, so an unwritten output shows as NaN at that step) and whether steps are hashed
 * (without, nothing but the statistics comes back from the device and steps have no sha256); with
 * {@code replay} set, every op's inputs are read back into it ({@code layerwise replay}).
 */
public record OpenClOptions(String device, boolean poison, boolean hash, ReplayLog replay) {
    public static final OpenClOptions DEFAULT = new OpenClOptions(null, false, true, null);

    public OpenClOptions(String device, boolean poison) {
        this(device, poison, true, null);
    }

    public OpenClOptions(String device, boolean poison, boolean hash) {
        this(device, poison, hash, null);
    }

    /** The same options, logging every op's device inputs into {@code log} ({@code layerwise replay}). */
    public OpenClOptions replayingInto(ReplayLog log) {
        return new OpenClOptions(device, poison, hash, log);
    }
}
