package dev.layerwise.engine.fault;

/**
 * One fault on one concrete step. {@code factor} is the multiplier of a {@link FaultKind#SCALE} fault (else 1),
 * {@code positionOffset} the shift of a {@link FaultKind#ROPE_OFFSET} fault (else 0), {@code source} the step whose
 * content a {@link FaultKind#STALE} fault keeps or whose weights a {@link FaultKind#SWAP} fault uses (else null).
 */
public record Fault(String step, FaultKind kind, double factor, int positionOffset, String source) {

    /** The {@code STEP=KIND} spelling. */
    public String spec() {
        return step + "=" + kind.specName() + switch (kind.argument()) {
            case NONE -> "";
            case FACTOR -> ":" + factor;
            case POSITIONS -> ":" + positionOffset;
            case STEP -> ":" + source;
        };
    }
}
