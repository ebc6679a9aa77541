package dev.layerwise.engine.kernels;

/**
 * How RoPE is applied: Llama's half-split pairs at positions 0..T-1 ({@link #STANDARD}), or a simulated
 * bug (docs/fault-injection.md): interleaved pairs {@code (2i, 2i+1)} (the GPT-J / original RoFormer
 * layout), or every position from token {@code firstShiftedToken} on (0: every token; T - 1: the last token only)
 * shifted by {@code positionOffset} (the table must cover T + offset positions).
 */
public record RopeVariant(boolean interleaved, int positionOffset, int firstShiftedToken) {
    public static final RopeVariant STANDARD = new RopeVariant(false, 0);

    public RopeVariant {
        if (positionOffset < 0 || firstShiftedToken < 0) {
            throw new IllegalArgumentException("negative position offset " + positionOffset + " or first token "
                    + firstShiftedToken);
        }
    }

    /** Every token shifted by {@code positionOffset}. */
    public RopeVariant(boolean interleaved, int positionOffset) {
        this(interleaved, positionOffset, 0);
    }

    /** The position token t is rotated as: t, plus the offset from token {@code firstShiftedToken} on. */
    int position(int t) {
        return t >= firstShiftedToken ? t + positionOffset : t;
    }

    /** Index of the first and second element of pair i within a head. */
    int first(int i, int half) {
        return interleaved ? 2 * i : i;
    }

    int second(int i, int half) {
        return interleaved ? 2 * i + 1 : half + i;
    }
}
