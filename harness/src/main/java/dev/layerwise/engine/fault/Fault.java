package dev.layerwise.engine.fault;

/**
 * One fault on one concrete step. {@code factor} is used by {@link FaultKind#SCALE} (the factor) and
 * {@link FaultKind#ROPE_OFFSET} (the position offset), {@code source} by {@link FaultKind#STALE} (the step
 * whose content is kept) and {@link FaultKind#SWAP} (the step whose weights are used).
 */
public record Fault(String step, FaultKind kind, double factor, String source) {

    /** The {@code STEP=KIND} spelling. */
    public String spec() {
        return step + "=" + switch (kind) {
            case SCALE -> "scale:" + factor;
            case ROPE_OFFSET -> "rope-offset:" + positionOffset();
            case STALE -> "stale:" + source;
            case SWAP -> "swap:" + source;
            default -> kind.syntax();
        };
    }

    /** The position offset of a {@link FaultKind#ROPE_OFFSET} fault, else 0. */
    public int positionOffset() {
        return kind == FaultKind.ROPE_OFFSET ? (int) factor : 0;
    }
}
