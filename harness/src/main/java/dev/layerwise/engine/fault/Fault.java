package dev.layerwise.engine.fault;

/**
 * One fault on one concrete step. {@code factor} is the multiplier of a {@link FaultKind#SCALE} fault (else 1),
 * {@code positionOffset} the shift of a {@link FaultKind#ROPE_OFFSET} fault (else 0), {@code source} the step whose
 * content a {@link FaultKind#STALE} fault keeps or whose weights a {@link FaultKind#SWAP} fault uses (else null),
 * {@code count} the ulps of a {@link FaultKind#PERTURB_ULP} fault or the columns a {@link FaultKind#DROP_COLUMNS}
 * fault drops (else 0), and {@code lastTokenOnly} whether a scale, perturb-ulp or rope-offset fault touches the last
 * token's row alone (the {@code @last} suffix: a bug of the decode path only).
 */
public record Fault(String step, FaultKind kind, double factor, int positionOffset, String source, int count,
        boolean lastTokenOnly) {
    /** The suffix of a fault that touches the last token only. */
    public static final String LAST_TOKEN = "@last";

    /** A fault that needs no parameter (zero, nan, skip, the semantic kinds without arguments). */
    static Fault plain(String step, FaultKind kind) {
        return new Fault(step, kind, 1, 0, null, 0, false);
    }

    static Fault scale(String step, double factor, boolean lastTokenOnly) {
        return new Fault(step, FaultKind.SCALE, factor, 0, null, 0, lastTokenOnly);
    }

    static Fault ropeOffset(String step, int offset, boolean lastTokenOnly) {
        return new Fault(step, FaultKind.ROPE_OFFSET, 1, offset, null, 0, lastTokenOnly);
    }

    /** A perturb-ulp or drop-columns fault of {@code count} ulps or columns. */
    static Fault counted(String step, FaultKind kind, int count, boolean lastTokenOnly) {
        return new Fault(step, kind, 1, 0, null, count, lastTokenOnly);
    }

    /** A stale or swap fault reading {@code source}. */
    static Fault from(String step, FaultKind kind, String source) {
        return new Fault(step, kind, 1, 0, source, 0, false);
    }

    /** The {@code STEP=KIND} spelling. */
    public String spec() {
        return step + "=" + switch (kind) {
            case SCALE -> "scale:" + factor;
            case ROPE_OFFSET -> "rope-offset:" + positionOffset;
            case PERTURB_ULP -> count == 1 ? "perturb-ulp" : "perturb-ulp:" + count;
            case DROP_COLUMNS -> "drop-columns:" + count;
            case STALE -> "stale:" + source;
            case SWAP -> "swap:" + source;
            default -> kind.syntax();
        } + (lastTokenOnly ? LAST_TOKEN : "");
    }
}
