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

    /** The {@code STEP=KIND} spelling. */
    public String spec() {
        return step + "=" + kind.specName() + switch (kind.argument()) {
            case NONE -> "";
            case FACTOR -> ":" + factor;
            case POSITIONS -> ":" + positionOffset;
            case COUNT -> ":" + count;
            case OPTIONAL_COUNT -> count == 1 ? "" : ":" + count;
            case STEP -> ":" + source;
        } + (lastTokenOnly ? LAST_TOKEN : "");
    }
}
