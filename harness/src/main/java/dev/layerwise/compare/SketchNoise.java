package dev.layerwise.compare;

/**
 * How much to trust an L2 distance estimated from k-entry Rademacher sketches.
 *
 * <p>Each (sa_j - sb_j)^2 is an unbiased estimate of ||a - b||^2 with variance at most 2||a - b||^4, so the
 * mean over k entries has relative standard deviation at most sqrt(2/k), and its square root (the distance)
 * about 1/sqrt(2k): 0.177 for k = 16. Assuming near-Gaussian sketch entries, k * estimate^2 / ||a-b||^2 is
 * chi-square with k degrees of freedom; its 99.87% quantile for k = 16 is 37.7, i.e. the estimate exceeds the
 * true distance by more than sqrt(37.7/16) = 1.535 in about 1 case of 770. {@link #acceptFactor(int)} = 1 + 3/sqrt(2k)
 * (1.53 for k = 16) is that 3-sigma band.
 */
public final class SketchNoise {
    private SketchNoise() {
    }

    /** Relative standard deviation of the sketch distance estimate: 1/sqrt(2k). */
    public static double relativeNoise(int k) {
        return 1.0 / Math.sqrt(2.0 * k);
    }

    /** An estimate up to tolerance x this factor may still be a true distance within tolerance. */
    public static double acceptFactor(int k) {
        return 1.0 + 3.0 * relativeNoise(k);
    }
}
