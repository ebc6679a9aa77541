package dev.layerwise.engine.fault;

/**
 * One fault on one concrete step. {@code factor} is the multiplier of a {@link FaultKind#SCALE} fault (else 1),
 * {@code positionOffset} the shift of a {@link FaultKind#ROPE_OFFSET} fault (else 0), {@code source} the step whose
 * content a {@link FaultKind#STALE} fault keeps or whose weights a {@link FaultKind#SWAP} fault uses (else null).
 */
public record Fault(String step, FaultKind kind, double factor, int positionOffset, String source) {

    /** A fault that needs no parameter (zero, nan, skip, the semantic kinds without arguments). */
    static Fault plain(String step, FaultKind kind) {
        return new Fault(step, kind, 1, 0, null);
    }

    static Fault scale(String step, double factor) {
        return new Fault(step, FaultKind.SCALE, factor, 0, null);
    }

    static Fault ropeOffset(String step, int offset) {
        return new Fault(step, FaultKind.ROPE_OFFSET, 1, offset, null);
    }

    /** A stale or swap fault reading {@code source}. */
    static Fault from(String step, FaultKind kind, String source) {
        return new Fault(step, kind, 1, 0, source);
    }

    /** The {@code STEP=KIND} spelling. */
    public String spec() {
        return step + "=" + switch (kind) {
            case SCALE -> "scale:" + factor;
            case ROPE_OFFSET -> "rope-offset:" + positionOffset;
            case STALE -> "stale:" + source;
            case SWAP -> "swap:" + source;
            default -> kind.syntax();
        };
    }
}
