package dev.layerwise.engine.kernels;

/**
 * The register tile of the float32 matrix product: {@code rows} weight rows times up to {@code vectors} token
 * vectors of {@code lanes} floats, i.e. blocks of {@code vectors * lanes} tokens. Chosen once per JVM from the
 * preferred vector size ({@link #CHOSEN}): 256-bit vectors (AVX2: 16 registers) get 6 x 2, 512-bit vectors
 * (AVX-512: 32 registers) 8 x 3. The last block of a call is narrowed to as many vectors as its tokens need, so
 * a short prompt is not padded to a whole block.
 *
 * <p>The tile never changes what an output is: every output is the same sequential fma chain whatever tile,
 * block or thread computes it (docs/engine.md, "Determinism").
 */
public record MatMulTile(int rows, int vectors, int lanes) {
    /** 6 x 2 for vectors up to 256 bits (15 of AVX2's 16 vector registers). */
    static final int NARROW_ROWS = 6;
    static final int NARROW_VECTORS = 2;
    /** 8 x 3 for 512-bit vectors (28 of AVX-512's 32 vector registers). */
    static final int WIDE_ROWS = 8;
    static final int WIDE_VECTORS = 3;

    /** The tile for this JVM's vector species. */
    public static final MatMulTile CHOSEN = forLanes(MatMulKernels.LANES.length());

    public MatMulTile {
        if (!supports(rows, vectors) || lanes < 1) {
            throw new IllegalArgumentException("no " + rows + "x" + vectors + " kernel for " + lanes + " lanes");
        }
    }

    static MatMulTile forLanes(int lanes) {
        return lanes >= 16 ? new MatMulTile(WIDE_ROWS, WIDE_VECTORS, lanes)
                : new MatMulTile(NARROW_ROWS, NARROW_VECTORS, lanes);
    }

    /** Kernels exist for 6 rows x 1..2 vectors and 8 rows x 1..3 vectors (any lane count). */
    static boolean supports(int rows, int vectors) {
        return vectors >= 1 && (rows == NARROW_ROWS && vectors <= NARROW_VECTORS
                || rows == WIDE_ROWS && vectors <= WIDE_VECTORS);
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
