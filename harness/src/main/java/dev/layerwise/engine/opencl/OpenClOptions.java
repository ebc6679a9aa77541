package dev.layerwise.engine.opencl;

/**
 * Options of the opencl engine: which device ({@code null}: the first GPU, else the first device; see
 * {@link OpenClDevices#select}) and poison mode (every step's output filled with a NaN sentinel before
 * its kernel runs, so an unwritten output shows as NaN at that step).
 */
public record OpenClOptions(String device, boolean poison) {
    public static final OpenClOptions DEFAULT = new OpenClOptions(null, false);
}
