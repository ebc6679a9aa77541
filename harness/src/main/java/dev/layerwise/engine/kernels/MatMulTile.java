package dev.layerwise.engine.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * The register tile of the float32 matrix product: {@code rows} weight rows times up to {@code vectors} token
 * vectors of {@code lanes} floats, i.e. blocks of {@code vectors * lanes} tokens. Chosen per call
 * ({@link #forTokens}) from the JVM's preferred vector size and the number of token vectors: 512-bit vectors
 * (AVX-512: 32 registers) get 8 x 3; 256-bit and narrower ones (AVX2: 16 registers) get 6 x 2 when the tokens fill
 * an even number of vectors and 4 x 3 when they fill an odd number. The last block of a call is narrowed to as many
 * vectors as its tokens need, so a short prompt is not padded to a whole block.
 *
 * <p>Why two narrow tiles: a one-vector kernel uses each broadcast weight for one fma, and on AVX2 it runs at about
 * half the speed of the full tiles (measured one core: 6 x 1 58 GFLOP/s, 4 x 1 68, 4 x 2 117, 6 x 2 and 4 x 3
 * 137 to 138). With an even number of vectors 6 x 2 leaves no tail; with an odd number it would leave a 6 x 1 tail,
 * so the tokens start with one 4 x 3 block and continue in 6 x 2 blocks ({@link #blocks}: 38 tokens, 5 vectors,
 * 4x3 + 6x2), the two shapes sharing row panels of 12 rows.
 *
 * <p>The tile never changes what an output is: every output is the same sequential fma chain whatever tile,
 * block or thread computes it (docs/engine.md, "Determinism").
 */
public record MatMulTile(int rows, int vectors, int lanes) {
    /** 6 x 2 for vectors up to 256 bits (15 of AVX2's 16 vector registers), for an even number of token vectors. */
    static final int NARROW_ROWS = 6;
    static final int NARROW_VECTORS = 2;
    /** 4 x 3 for vectors up to 256 bits (all 16 registers), for an odd number of token vectors. */
    static final int ODD_ROWS = 4;
    static final int ODD_VECTORS = 3;
    /** 8 x 3 for 512-bit vectors (28 of AVX-512's 32 vector registers). */
    static final int WIDE_ROWS = 8;
    static final int WIDE_VECTORS = 3;

    public MatMulTile {
        if (!supports(rows, vectors) || lanes < 1) {
            throw new IllegalArgumentException("no " + rows + "x" + vectors + " kernel for " + lanes + " lanes");
        }
    }

    /** The tile this JVM's kernels use for a product over {@code tokens} tokens. */
    public static MatMulTile forTokens(int tokens) {
        return forTokens(MatMulKernels.LANES.length(), tokens);
    }

    static MatMulTile forTokens(int lanes, int tokens) {
        if (lanes >= 16) {
            return new MatMulTile(WIDE_ROWS, WIDE_VECTORS, lanes);
        }
        int tokenVectors = (tokens + lanes - 1) / lanes;
        return tokenVectors % 2 == 1 ? new MatMulTile(ODD_ROWS, ODD_VECTORS, lanes)
                : new MatMulTile(NARROW_ROWS, NARROW_VECTORS, lanes);
    }

    /** Kernels exist for 4 rows x 1..3 vectors, 6 rows x 1..2 and 8 rows x 1..3 (any lane count). */
    static boolean supports(int rows, int vectors) {
        return vectors >= 1 && (rows == ODD_ROWS && vectors <= ODD_VECTORS
                || rows == NARROW_ROWS && vectors <= NARROW_VECTORS
                || rows == WIDE_ROWS && vectors <= WIDE_VECTORS);
    }

    /**
     * One block of a product's tokens: {@code tokens} tokens from {@code firstToken} (a multiple of the lanes), in
     * {@code vectors} token vectors, run by the {@code rows x vectors} kernel.
     */
    record Block(int firstToken, int tokens, int vectors, int rows) {
    }

    /**
     * The blocks of a product over {@code tokens} tokens, in token order: blocks of {@link #vectors()} vectors, the
     * last narrowed to the vectors its tokens need; except that the 4 x 3 tile with an odd number of token vectors
     * from 5 on runs one 3-vector block and then 2-vector blocks with the 6 x 2 kernel, so that no 4 x 2 or 4 x 1
     * tail is left (measured in the forward: 40 tokens as 4x3 + 4x2 took nearly as long as 48 tokens as 3 x 6x2).
     */
    List<Block> blocks(int tokens) {
        List<Block> blocks = new ArrayList<>();
        boolean mixed = mixedFor(tokens);
        for (int first = 0; first < tokens;) {
            int want = mixed && first > 0 ? NARROW_VECTORS : vectors;
            int count = Math.min(want * lanes, tokens - first);
            int blockVectors = vectorsFor(count);
            blocks.add(new Block(first, count, blockVectors, mixed && first > 0 ? NARROW_ROWS : rows));
            first += count;
        }
        return blocks;
    }

    /** Output rows that every block's tiles divide: the height of a row panel's unit (12 when the shapes mix). */
    int rowUnit(int tokens) {
        return mixedFor(tokens) ? ODD_ROWS * NARROW_ROWS / 2 : rows;
    }

    private boolean mixedFor(int tokens) {
        int tokenVectors = vectorsFor(tokens);
        return rows == ODD_ROWS && vectors == ODD_VECTORS && tokenVectors >= 5 && tokenVectors % 2 == 1;
    }

    /** The tiles this JVM may use, e.g. for the benchmark's report. */
    public static String describeChoices() {
        int lanes = MatMulKernels.LANES.length();
        MatMulTile even = forTokens(lanes, 2 * lanes);
        MatMulTile odd = forTokens(lanes, lanes);
        return even.equals(odd) ? even.describe()
                : even.describe() + " for an even number of token vectors; for an odd number one block of "
                        + odd.describe() + ", then " + NARROW_ROWS + " x " + NARROW_VECTORS + " blocks";
    }

    public int blockTokens() {
        return vectors * lanes;
    }

    /** Token vectors for a block of {@code tokens} (at most {@link #vectors()}). */
    int vectorsFor(int tokens) {
        return (tokens + lanes - 1) / lanes;
    }

    /** Floats of the transposed activations: every token rounded up to whole vectors. */
    int transposedLength(int tokens, int in) {
        return vectorsFor(tokens) * lanes * in;
    }

    /** e.g. "8 rows x 3 vectors of 16 floats (512-bit)", for the benchmark and the trace producer. */
    public String describe() {
        return rows + " rows x " + vectors + " vectors of " + lanes + " floats (" + lanes * 32 + "-bit)";
    }
}
