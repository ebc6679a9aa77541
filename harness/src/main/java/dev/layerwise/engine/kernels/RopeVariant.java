package dev.layerwise.engine.kernels;

/**
 * How RoPE is applied: Llama's half-split pairs at positions 0..T-1 ({@link #STANDARD}), or a simulated
 * bug (docs/fault-injection.md): interleaved pairs {@code (2i, 2i+1)} (the GPT-J / original RoFormer
 * layout), or every position shifted by {@code positionOffset} (the table must cover T + offset positions).
 */
public record RopeVariant(boolean interleaved, int positionOffset) {
    public static final RopeVariant STANDARD = new RopeVariant(false, 0);

    public RopeVariant {
        if (positionOffset < 0) {
            throw new IllegalArgumentException("negative position offset " + positionOffset);
        }
    }

    /** Index of the first and second element of pair i within a head. */
    int first(int i, int half) {
        return interleaved ? 2 * i : i;
    }

    int second(int i, int half) {
        return interleaved ? 2 * i + 1 : half + i;
    }
}
