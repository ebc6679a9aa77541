package dev.layerwise.engine.fault;

/**
 * One fault on one concrete step. {@code factor} is used by {@link FaultKind#SCALE}, {@code source}
 * (the step whose content is kept) by {@link FaultKind#STALE}.
 */
public record Fault(String step, FaultKind kind, double factor, String source) {

    /** The {@code STEP=KIND} spelling. */
    public String spec() {
        return step + "=" + switch (kind) {
            case ZERO -> "zero";
            case NAN -> "nan";
            case SCALE -> "scale:" + factor;
            case STALE -> "stale:" + source;
            case PERTURB_ULP -> "perturb-ulp";
            case SKIP -> "skip";
        };
    }
}
