package dev.layerwise.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.numeric.DType;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MatMulTest {

    /** Float64 reference: sum of exact products. */
    private static double[] reference(float[] x, float[] w, int tokens, int in, int out) {
        double[] y = new double[tokens * out];
        for (int t = 0; t < tokens; t++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) {
                    s += (double) x[t * in + i] * w[o * in + i];
                }
                y[t * out + o] = s;
            }
        }
        return y;
    }

    private static double absReference(float[] x, float[] w, int t, int o, int in) {
        double s = 0;
        for (int i = 0; i < in; i++) {
            s += Math.abs((double) x[t * in + i] * w[o * in + i]);
        }
        return s;
    }

    @ParameterizedTest
    @CsvSource({"7, 37, 6, FLOAT32", "9, 64, 8, FLOAT16", "5, 176, 13, BFLOAT16", "1, 3, 1, FLOAT32"})
    void float32AccumulationIsWithinTheFloatErrorBoundOfFloat64(int tokens, int in, int out, DType stored) {
        float[] x = KernelFixtures.random(1, tokens * in, 2, DType.FLOAT32);
        float[] w = KernelFixtures.random(2, out * in, 1, stored);
        WeightMatrix m = new WeightMatrix(KernelFixtures.tensor("w", stored, w, out, in));
        float[] y = new float[tokens * out];
        try (WorkerPool pool = new WorkerPool(2)) {
            MatMul.linear(x, tokens, m, y, Precision.of(DType.FLOAT32), pool, new Scratch(2));
        }
        double[] ref = reference(x, w, tokens, in, out);
        for (int t = 0; t < tokens; t++) {
            for (int o = 0; o < out; o++) {
                // gamma_n * sum |x w| with n = in (+ lanes for the lane sum), unit roundoff 2^-24
                double bound = (in + 16) * 0x1p-24 * absReference(x, w, t, o, in) * 1.01;
                assertEquals(ref[t * out + o], y[t * out + o], bound, "t=" + t + " o=" + o);
            }
        }
    }

    /** The documented arithmetic of one output: s = fma(W[o, i], x[t, i], s) for i = 0 .. in-1. */
    static float fmaChain(float[] w, int wo, float[] x, int xo, int in) {
        float s = 0;
        for (int i = 0; i < in; i++) {
            s = Math.fma(w[wo + i], x[xo + i], s);
        }
        return s;
    }

    /** Output (t, o) is bit for bit the plain chain over the inputs. */
    private static void assertEveryOutputIsItsChain(float[] w, float[] x, float[] y, int tokens, int in, int out,
            String what) {
        for (int t = 0; t < tokens; t++) {
            for (int o = 0; o < out; o++) {
                float expected = fmaChain(w, o * in, x, t * in, in);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[t * out + o]),
                        what + " t=" + t + " o=" + o);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"11, 53, 10", "38, 64, 8", "41, 20, 7", "1, 5, 3", "85, 9, 4"})
    void everyOutputIsTheSequentialFmaChainOverTheInputs(int tokens, int in, int out) {
        float[] x = KernelFixtures.random(3, tokens * in, 1, DType.FLOAT32);
        float[] w = KernelFixtures.random(4, out * in, 1, DType.FLOAT32);
        WeightMatrix m = new WeightMatrix(KernelFixtures.tensor("w", DType.FLOAT32, w, out, in));
        float[] y = new float[tokens * out];
        try (WorkerPool pool = new WorkerPool(2)) {
            MatMul.linear(x, tokens, m, y, Precision.of(DType.FLOAT32), pool, new Scratch(2));
        }
        assertEveryOutputIsItsChain(w, x, y, tokens, in, out, "");
    }

    @ParameterizedTest
    @CsvSource({"6, 2", "4, 3", "8, 3"})
    void everyTileShapeComputesTheSameFmaChainsForEveryTokenCount(int rows, int vectors) {
        int lanes = MatMulKernels.LANES.length();
        MatMulTile tile = new MatMulTile(rows, vectors, lanes);
        int in = 29;
        int out = 2 * rows + 3;
        // short prompts (one narrowed vector), exact blocks, and blocks plus a ragged tail
        // and odd numbers of vectors from 5 on, where 4 x 3 continues with 6 x 2 blocks (5 lanes - 2: 38 tokens on AVX2)
        int[] tokenCounts = {1, lanes - 1, lanes, lanes + 1, tile.blockTokens(), tile.blockTokens() + 1,
            2 * tile.blockTokens() + lanes + 3, 5 * lanes - 2, 7 * lanes, 9 * lanes - 1};
        for (int tokens : tokenCounts) {
            float[] x = KernelFixtures.random(11, tokens * in, 1, DType.FLOAT32);
            float[] w = KernelFixtures.random(12, out * in, 1, DType.BFLOAT16);
            WeightMatrix m = new WeightMatrix(KernelFixtures.tensor("w", DType.BFLOAT16, w, out, in));
            float[] y = new float[tokens * out];
            try (WorkerPool pool = new WorkerPool(2)) {
                MatMul.linear(x, tokens, m, y, Precision.of(DType.FLOAT32), pool, new Scratch(2), tile);
            }
            assertEveryOutputIsItsChain(w, x, y, tokens, in, out, tile.describe() + " tokens=" + tokens);
        }
    }

    /**
     * Panels of several tiles (a last one short, rows past the matrix) and chains split over column chunks of every
     * size, down to one column: the outputs are still the plain chains.
     */
    @ParameterizedTest
    @CsvSource({"6, 2, 1", "6, 2, 7", "4, 3, 3", "4, 2, 1", "8, 3, 1", "8, 3, 5", "8, 3, 29", "6, 1, 4", "4, 1, 6", "8, 2, 13"})
    void chainsSplitOverColumnChunksAndPanelsAreTheSameChains(int rows, int vectors, int chunkColumns) {
        int lanes = MatMulKernels.LANES.length();
        MatMulTile tile = new MatMulTile(rows, vectors, lanes);
        int in = 31;
        int out = 20 * rows + 5;
        int[] tokenCounts = {1, lanes + 1, 2 * tile.blockTokens() + 3, 5 * lanes - 2, 7 * lanes + 1};
        for (int tokens : tokenCounts) {
            float[] x = KernelFixtures.random(21, tokens * in, 1, DType.FLOAT32);
            float[] w = KernelFixtures.random(22, out * in, 1, DType.BFLOAT16);
            WeightMatrix m = new WeightMatrix(KernelFixtures.tensor("w", DType.BFLOAT16, w, out, in));
            float[] y = new float[tokens * out];
            try (WorkerPool pool = new WorkerPool(2)) {
                MatMul.linear(x, tokens, m, y, Precision.of(DType.FLOAT32), pool, new Scratch(2), tile, chunkColumns);
            }
            assertEveryOutputIsItsChain(w, x, y, tokens, in, out,
                    tile.describe() + " chunk " + chunkColumns + " tokens=" + tokens);
        }
    }

    @Test
    void theTileFitsTheVectorRegistersOfTheJvmsVectorWidth() {
        // AVX2 (256-bit): 16 registers hold 6 x 2 accumulators + 2 token vectors + 1 weight (even vector counts)
        // or 4 x 3 + 3 + 1 (odd counts, which 6 x 2 would end with a slow one-vector 6 x 1 block)
        assertEquals(new MatMulTile(6, 2, 8), MatMulTile.forTokens(8, 16));
        assertEquals(new MatMulTile(6, 2, 8), MatMulTile.forTokens(8, 512));
        assertEquals(new MatMulTile(4, 3, 8), MatMulTile.forTokens(8, 38));
        assertEquals(new MatMulTile(4, 3, 8), MatMulTile.forTokens(8, 1));
        assertEquals(new MatMulTile(6, 2, 4), MatMulTile.forTokens(4, 7));
        assertEquals(new MatMulTile(4, 3, 4), MatMulTile.forTokens(4, 9));
        // AVX-512: 32 registers hold 8 x 3 accumulators + 3 token vectors + 1 weight
        assertEquals(new MatMulTile(8, 3, 16), MatMulTile.forTokens(16, 38));
        assertEquals(new MatMulTile(8, 3, 16), MatMulTile.forTokens(16, 17));
        assertEquals(MatMulTile.forTokens(MatMulKernels.LANES.length(), 38), MatMulTile.forTokens(38));
    }

    @Test
    void everyTileTheJvmMayChooseHasAKernelForEachOfItsBlocks() {
        for (int lanes : new int[] {4, 8, 16, MatMulKernels.LANES.length()}) {
            for (int tokens = 1; tokens <= 200; tokens++) {
                MatMulTile tile = MatMulTile.forTokens(lanes, tokens);
                int unit = tile.rowUnit(tokens);
                int next = 0;
                for (MatMulTile.Block b : tile.blocks(tokens)) {
                    String what = tile.describe() + " tokens=" + tokens + " " + b;
                    assertTrue(MatMulTile.supports(b.rows(), b.vectors()), what);
                    assertEquals(next, b.firstToken(), what);
                    assertEquals(b.vectors(), (b.tokens() + lanes - 1) / lanes, what);
                    assertEquals(0, unit % b.rows(), what + ": panels of " + unit + " rows");
                    next += b.tokens();
                }
                assertEquals(tokens, next);
            }
        }
        assertTrue(MatMulTile.describeChoices().contains(MatMulTile.forTokens(1).describe()));
    }

    @Test
    void oddTokenVectorsOnAvx2StartWithOneFourByThreeBlockAndContinueSixByTwo() {
        MatMulTile tile = MatMulTile.forTokens(8, 38);
        assertEquals(List.of(new MatMulTile.Block(0, 24, 3, 4), new MatMulTile.Block(24, 14, 2, 6)), tile.blocks(38));
        assertEquals(12, tile.rowUnit(38));
        assertEquals(List.of(new MatMulTile.Block(0, 24, 3, 4), new MatMulTile.Block(24, 16, 2, 6),
                new MatMulTile.Block(40, 16, 2, 6)), tile.blocks(56));
        // 1 and 3 vectors: a single block; the even counts keep 6 x 2 throughout
        assertEquals(List.of(new MatMulTile.Block(0, 5, 1, 4)), tile.blocks(5));
        assertEquals(List.of(new MatMulTile.Block(0, 20, 3, 4)), tile.blocks(20));
        assertEquals(4, tile.rowUnit(20));
        MatMulTile even = MatMulTile.forTokens(8, 32);
        assertEquals(List.of(new MatMulTile.Block(0, 16, 2, 6), new MatMulTile.Block(16, 16, 2, 6)), even.blocks(32));
        assertEquals(6, even.rowUnit(32));
    }

    @Test
    void halfPrecisionRoundsEachOutputOnceAndCastsNarrowedWeights() {
        int tokens = 6;
        int in = 40;
        int out = 9;
        float[] x = KernelFixtures.random(5, tokens * in, 1, DType.FLOAT16);
        float[] w32 = KernelFixtures.random(6, out * in, 0.3f, DType.FLOAT32);
        float[] w16 = w32.clone();
        for (int i = 0; i < w16.length; i++) {
            w16[i] = DType.FLOAT16.round(w16[i]);
        }
        Precision p = Precision.of(DType.FLOAT16);
        float[] fromF32 = new float[tokens * out];
        float[] fromF16 = new float[tokens * out];
        try (WorkerPool pool = new WorkerPool(1)) {
            MatMul.linear(x, tokens, new WeightMatrix(KernelFixtures.tensor("a", DType.FLOAT32, w32, out, in)),
                    fromF32, p, pool, new Scratch(1));
            MatMul.linear(x, tokens, new WeightMatrix(KernelFixtures.tensor("b", DType.FLOAT16, w16, out, in)),
                    fromF16, p, pool, new Scratch(1));
        }
        // an f32 checkpoint run as f16 uses the weights cast to f16, as HF does with dtype=float16
        assertArrayEquals(fromF16, fromF32);
        for (int t = 0; t < tokens; t++) {
            for (int o = 0; o < out; o++) {
                float exact = fmaChain(w16, o * in, x, t * in, in);
                assertEquals(DType.FLOAT16.round(exact), fromF16[t * out + o]);
                assertTrue(KernelFixtures.representable(fromF16[t * out + o], DType.FLOAT16));
            }
        }
    }

    @Test
    void resultsAreBitIdenticalForAnyThreadCount() {
        int tokens = 38;
        int in = 96;
        int out = 70;
        float[] x = KernelFixtures.random(7, tokens * in, 1, DType.BFLOAT16);
        float[] w = KernelFixtures.random(8, out * in, 1, DType.BFLOAT16);
        WeightMatrix m = new WeightMatrix(KernelFixtures.tensor("w", DType.BFLOAT16, w, out, in));
        float[][] results = new float[3][tokens * out];
        for (int threads = 1; threads <= 3; threads++) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                MatMul.linear(x, tokens, m, results[threads - 1], Precision.of(DType.BFLOAT16), pool,
                        new Scratch(threads));
            }
        }
        assertArrayEquals(results[0], results[1]);
        assertArrayEquals(results[0], results[2]);
    }

    @Test
    void float64OracleMatchesTheStraightforwardSum() {
        int tokens = 5;
        int in = 45;
        int out = 7;
        float[] xf = KernelFixtures.random(9, tokens * in, 1, DType.FLOAT32);
        float[] w = KernelFixtures.random(10, out * in, 1, DType.FLOAT16);
        double[] y = new double[tokens * out];
        try (WorkerPool pool = new WorkerPool(2)) {
            MatMul.linear(KernelFixtures.widen(xf), tokens,
                    new WeightMatrix(KernelFixtures.tensor("w", DType.FLOAT16, w, out, in)), y, pool, new Scratch(2));
        }
        double[] ref = reference(xf, w, tokens, in, out);
        for (int i = 0; i < y.length; i++) {
            assertEquals(ref[i], y[i], 1e-14 * Math.max(1, Math.abs(ref[i])) * in);
        }
    }
}
