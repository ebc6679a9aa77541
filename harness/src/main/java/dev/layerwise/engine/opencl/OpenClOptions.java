package dev.layerwise.engine.opencl;

/**
 * Options of the opencl engine: which device ({@code null}: the first GPU, else the first device; see
 * {@link OpenClDevices#select}), poison mode (every step's output filled with a NaN sentinel before
 * its kernel runs, so an unwritten output shows as NaN at that step) and whether steps are hashed
 * (without, nothing but the statistics comes back from the device and steps have no sha256).
 */
public record OpenClOptions(String device, boolean poison, boolean hash) {
    public static final OpenClOptions DEFAULT = new OpenClOptions(null, false, true);

    public OpenClOptions(String device, boolean poison) {
        this(device, poison, true);
    }
}
