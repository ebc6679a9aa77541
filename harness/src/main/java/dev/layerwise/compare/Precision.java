package dev.layerwise.compare;

import dev.layerwise.numeric.DType;

/** Which precision limits a comparison. */
public final class Precision {
    private Precision() {
    }

    /**
     * The coarsest (largest unit roundoff) of the given dtypes. A step's tolerance takes both steps' dtypes AND both
     * traces' dtypes: a value stored in float32 by a float16 model (e.g. sdpa's attn_probs, recomputed in float32
     * from float16 q and k) still carries float16 errors.
     */
    public static DType coarsest(DType... dtypes) {
        DType c = dtypes[0];
        for (DType d : dtypes) {
            if (d.unitRoundoff() > c.unitRoundoff()) {
                c = d;
            }
        }
        return c;
    }
}
