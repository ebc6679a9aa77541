package dev.layerwise.engine.fault;

/** What an injected fault does to a step's output buffer (docs/fault-injection.md). */
public enum FaultKind {
    /** Every element becomes 0 (a kernel that writes nothing into a zeroed buffer, e.g. silu returning 0). */
    ZERO("zero"),
    /** Every element becomes NaN (an overflow or uninitialised read that poisons the tensor). */
    NAN("nan"),
    /** Every element is multiplied by a factor (a wrong scale constant), rounded to the step dtype. */
    SCALE("scale:F"),
    /** The buffer holds the content of an earlier step of the same shape (wrong buffer bound / aliasing). */
    STALE("stale:OTHER_STEP"),
    /** Every element moves one ulp of the step dtype toward +infinity (a systematic rounding difference). */
    PERTURB_ULP("perturb-ulp"),
    /** The op does not run: the buffer keeps what it held (zeros on first use, else the previous layer's). */
    SKIP("skip");

    private final String syntax;

    FaultKind(String syntax) {
        this.syntax = syntax;
    }

    public String syntax() {
        return syntax;
    }
}
