package dev.layerwise.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernels of {@link MatMul}: {@code rowsRxV} multiplies R decoded weight rows
 * ({@code w[wOff + r * wStride + i]}) by V token vectors of a transposed block
 * ({@code xt[xtOff + i * V * lanes + v * lanes + lane]}) for i = 0 .. count-1, continuing the accumulators stored at {@code acc[accOff + (r * V + v) * lanes ..]}
 * ({@code resume}) or starting them from +0, and stores them back there. Lane j of accumulator (r, v) thus continues
 * the sequential chain {@code s = fma(W[r, i], x[token j, i], s)}: a float stored and loaded again is the same
 * float, so a chain run over the inputs in several calls is the chain run in one.
 *
 * <p>One method per tile shape because C2 keeps vectors in registers only when they are named locals (an array of
 * accumulators would live in memory). R x V accumulators + V token vectors + 1 broadcast weight must fit in the
 * vector registers: 6 x 2 (15 of 16 on AVX2), 4 x 3 (16 of 16) and 8 x 3 (28 of 32 on AVX-512), with narrower
 * tails for the last tokens. See {@link MatMulTile}.
 */
final class MatMulKernels {
    /** The float vector the JVM prefers (capped at 512 bits), fixed for the life of the JVM. */
    static final VectorSpecies<Float> LANES = VectorSpecies.of(float.class,
            VectorShape.forBitSize(Math.max(128, Math.min(512, FloatVector.SPECIES_PREFERRED.vectorBitSize()))));

    private MatMulKernels() {
    }

    /**
     * {@code index} itself (an array index is never negative), written so that C2 cannot prove it affine in the
     * loop variable, which keeps each weight's bounds check in the loop (an integer compare and branch) instead of
     * hoisting it into a loop predicate. Why: with every check hoisted, C2 was free to schedule all the rows'
     * broadcasts ahead of the fma, and on 16 vector registers (AVX2) it then had to spill three of the 6 x 2
     * kernel's 12 accumulators to the stack, a store and a reload in every iteration (seen in the generated code
     * with -XX:+PrintAssembly). Kept in the loop, each check orders its broadcast just before that row's fma and
     * one register serves them all. Measured on one core, 256-bit vectors, under ParallelGC (the launcher's GC;
     * G1's loop strip mining happened to avoid the spills): 60 to 72 GFLOP/s before, 107 to 118 after; 512-bit
     * kernels are unchanged within noise (docs/performance.md, "Spilled accumulators").
     */
    private static int checkedInLoop(int index) {
        return index & Integer.MAX_VALUE;
    }

    /** Runs the {@code rows x vectors} kernel ({@link MatMulTile#supports}). */
    static void run(int rows, int vectors, float[] w, int wOff, int wStride, float[] xt, int xtOff, int count,
            float[] acc, int accOff, boolean resume) {
        switch (rows * 10 + vectors) {
            case 41 -> rows4x1(w, wOff, wStride, xt, xtOff, count, acc, accOff, resume);
            case 42 -> rows4x2(w, wOff, wStride, xt, xtOff, count, acc, accOff, resume);
            case 43 -> rows4x3(w, wOff, wStride, xt, xtOff, count, acc, accOff, resume);
            case 61 -> rows6x1(w, wOff, wStride, xt, xtOff, count, acc, accOff, resume);
            case 62 -> rows6x2(w, wOff, wStride, xt, xtOff, count, acc, accOff, resume);
            case 81 -> rows8x1(w, wOff, wStride, xt, xtOff, count, acc, accOff, resume);
            case 82 -> rows8x2(w, wOff, wStride, xt, xtOff, count, acc, accOff, resume);
            case 83 -> rows8x3(w, wOff, wStride, xt, xtOff, count, acc, accOff, resume);
            default -> throw new IllegalArgumentException("no " + rows + "x" + vectors + " kernel");
        }
    }

    static void rows4x1(float[] w, int wOff, int wStride, float[] xt, int xtOff, int count, float[] acc, int accOff,
            boolean resume) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 1 * n;
        FloatVector a00 = resume ? FloatVector.fromArray(s, acc, accOff) : FloatVector.zero(s);
        FloatVector a10 = resume ? FloatVector.fromArray(s, acc, accOff + 1 * n) : FloatVector.zero(s);
        FloatVector a20 = resume ? FloatVector.fromArray(s, acc, accOff + 2 * n) : FloatVector.zero(s);
        FloatVector a30 = resume ? FloatVector.fromArray(s, acc, accOff + 3 * n) : FloatVector.zero(s);
        for (int i = 0; i < count; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector c = FloatVector.broadcast(s, w[checkedInLoop(wOff + i)]);
            a00 = c.fma(x0, a00);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + wStride + i)]);
            a10 = c.fma(x0, a10);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 2 * wStride + i)]);
            a20 = c.fma(x0, a20);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 3 * wStride + i)]);
            a30 = c.fma(x0, a30);
        }
        a00.intoArray(acc, accOff);
        a10.intoArray(acc, accOff + 1 * n);
        a20.intoArray(acc, accOff + 2 * n);
        a30.intoArray(acc, accOff + 3 * n);
    }

    static void rows4x2(float[] w, int wOff, int wStride, float[] xt, int xtOff, int count, float[] acc, int accOff,
            boolean resume) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 2 * n;
        FloatVector a00 = resume ? FloatVector.fromArray(s, acc, accOff) : FloatVector.zero(s);
        FloatVector a01 = resume ? FloatVector.fromArray(s, acc, accOff + 1 * n) : FloatVector.zero(s);
        FloatVector a10 = resume ? FloatVector.fromArray(s, acc, accOff + 2 * n) : FloatVector.zero(s);
        FloatVector a11 = resume ? FloatVector.fromArray(s, acc, accOff + 3 * n) : FloatVector.zero(s);
        FloatVector a20 = resume ? FloatVector.fromArray(s, acc, accOff + 4 * n) : FloatVector.zero(s);
        FloatVector a21 = resume ? FloatVector.fromArray(s, acc, accOff + 5 * n) : FloatVector.zero(s);
        FloatVector a30 = resume ? FloatVector.fromArray(s, acc, accOff + 6 * n) : FloatVector.zero(s);
        FloatVector a31 = resume ? FloatVector.fromArray(s, acc, accOff + 7 * n) : FloatVector.zero(s);
        for (int i = 0; i < count; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector x1 = FloatVector.fromArray(s, xt, xo + n);
            FloatVector c = FloatVector.broadcast(s, w[checkedInLoop(wOff + i)]);
            a00 = c.fma(x0, a00);
            a01 = c.fma(x1, a01);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + wStride + i)]);
            a10 = c.fma(x0, a10);
            a11 = c.fma(x1, a11);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 2 * wStride + i)]);
            a20 = c.fma(x0, a20);
            a21 = c.fma(x1, a21);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 3 * wStride + i)]);
            a30 = c.fma(x0, a30);
            a31 = c.fma(x1, a31);
        }
        a00.intoArray(acc, accOff);
        a01.intoArray(acc, accOff + 1 * n);
        a10.intoArray(acc, accOff + 2 * n);
        a11.intoArray(acc, accOff + 3 * n);
        a20.intoArray(acc, accOff + 4 * n);
        a21.intoArray(acc, accOff + 5 * n);
        a30.intoArray(acc, accOff + 6 * n);
        a31.intoArray(acc, accOff + 7 * n);
    }

    static void rows4x3(float[] w, int wOff, int wStride, float[] xt, int xtOff, int count, float[] acc, int accOff,
            boolean resume) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 3 * n;
        FloatVector a00 = resume ? FloatVector.fromArray(s, acc, accOff) : FloatVector.zero(s);
        FloatVector a01 = resume ? FloatVector.fromArray(s, acc, accOff + 1 * n) : FloatVector.zero(s);
        FloatVector a02 = resume ? FloatVector.fromArray(s, acc, accOff + 2 * n) : FloatVector.zero(s);
        FloatVector a10 = resume ? FloatVector.fromArray(s, acc, accOff + 3 * n) : FloatVector.zero(s);
        FloatVector a11 = resume ? FloatVector.fromArray(s, acc, accOff + 4 * n) : FloatVector.zero(s);
        FloatVector a12 = resume ? FloatVector.fromArray(s, acc, accOff + 5 * n) : FloatVector.zero(s);
        FloatVector a20 = resume ? FloatVector.fromArray(s, acc, accOff + 6 * n) : FloatVector.zero(s);
        FloatVector a21 = resume ? FloatVector.fromArray(s, acc, accOff + 7 * n) : FloatVector.zero(s);
        FloatVector a22 = resume ? FloatVector.fromArray(s, acc, accOff + 8 * n) : FloatVector.zero(s);
        FloatVector a30 = resume ? FloatVector.fromArray(s, acc, accOff + 9 * n) : FloatVector.zero(s);
        FloatVector a31 = resume ? FloatVector.fromArray(s, acc, accOff + 10 * n) : FloatVector.zero(s);
        FloatVector a32 = resume ? FloatVector.fromArray(s, acc, accOff + 11 * n) : FloatVector.zero(s);
        for (int i = 0; i < count; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector x1 = FloatVector.fromArray(s, xt, xo + n);
            FloatVector x2 = FloatVector.fromArray(s, xt, xo + 2 * n);
            FloatVector c = FloatVector.broadcast(s, w[checkedInLoop(wOff + i)]);
            a00 = c.fma(x0, a00);
            a01 = c.fma(x1, a01);
            a02 = c.fma(x2, a02);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + wStride + i)]);
            a10 = c.fma(x0, a10);
            a11 = c.fma(x1, a11);
            a12 = c.fma(x2, a12);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 2 * wStride + i)]);
            a20 = c.fma(x0, a20);
            a21 = c.fma(x1, a21);
            a22 = c.fma(x2, a22);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 3 * wStride + i)]);
            a30 = c.fma(x0, a30);
            a31 = c.fma(x1, a31);
            a32 = c.fma(x2, a32);
        }
        a00.intoArray(acc, accOff);
        a01.intoArray(acc, accOff + 1 * n);
        a02.intoArray(acc, accOff + 2 * n);
        a10.intoArray(acc, accOff + 3 * n);
        a11.intoArray(acc, accOff + 4 * n);
        a12.intoArray(acc, accOff + 5 * n);
        a20.intoArray(acc, accOff + 6 * n);
        a21.intoArray(acc, accOff + 7 * n);
        a22.intoArray(acc, accOff + 8 * n);
        a30.intoArray(acc, accOff + 9 * n);
        a31.intoArray(acc, accOff + 10 * n);
        a32.intoArray(acc, accOff + 11 * n);
    }


    static void rows6x1(float[] w, int wOff, int wStride, float[] xt, int xtOff, int count, float[] acc, int accOff,
            boolean resume) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 1 * n;
        FloatVector a00 = resume ? FloatVector.fromArray(s, acc, accOff) : FloatVector.zero(s);
        FloatVector a10 = resume ? FloatVector.fromArray(s, acc, accOff + 1 * n) : FloatVector.zero(s);
        FloatVector a20 = resume ? FloatVector.fromArray(s, acc, accOff + 2 * n) : FloatVector.zero(s);
        FloatVector a30 = resume ? FloatVector.fromArray(s, acc, accOff + 3 * n) : FloatVector.zero(s);
        FloatVector a40 = resume ? FloatVector.fromArray(s, acc, accOff + 4 * n) : FloatVector.zero(s);
        FloatVector a50 = resume ? FloatVector.fromArray(s, acc, accOff + 5 * n) : FloatVector.zero(s);
        for (int i = 0; i < count; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector c = FloatVector.broadcast(s, w[checkedInLoop(wOff + i)]);
            a00 = c.fma(x0, a00);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + wStride + i)]);
            a10 = c.fma(x0, a10);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 2 * wStride + i)]);
            a20 = c.fma(x0, a20);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 3 * wStride + i)]);
            a30 = c.fma(x0, a30);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 4 * wStride + i)]);
            a40 = c.fma(x0, a40);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 5 * wStride + i)]);
            a50 = c.fma(x0, a50);
        }
        a00.intoArray(acc, accOff);
        a10.intoArray(acc, accOff + 1 * n);
        a20.intoArray(acc, accOff + 2 * n);
        a30.intoArray(acc, accOff + 3 * n);
        a40.intoArray(acc, accOff + 4 * n);
        a50.intoArray(acc, accOff + 5 * n);
    }

    static void rows6x2(float[] w, int wOff, int wStride, float[] xt, int xtOff, int count, float[] acc, int accOff,
            boolean resume) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 2 * n;
        FloatVector a00 = resume ? FloatVector.fromArray(s, acc, accOff) : FloatVector.zero(s);
        FloatVector a01 = resume ? FloatVector.fromArray(s, acc, accOff + 1 * n) : FloatVector.zero(s);
        FloatVector a10 = resume ? FloatVector.fromArray(s, acc, accOff + 2 * n) : FloatVector.zero(s);
        FloatVector a11 = resume ? FloatVector.fromArray(s, acc, accOff + 3 * n) : FloatVector.zero(s);
        FloatVector a20 = resume ? FloatVector.fromArray(s, acc, accOff + 4 * n) : FloatVector.zero(s);
        FloatVector a21 = resume ? FloatVector.fromArray(s, acc, accOff + 5 * n) : FloatVector.zero(s);
        FloatVector a30 = resume ? FloatVector.fromArray(s, acc, accOff + 6 * n) : FloatVector.zero(s);
        FloatVector a31 = resume ? FloatVector.fromArray(s, acc, accOff + 7 * n) : FloatVector.zero(s);
        FloatVector a40 = resume ? FloatVector.fromArray(s, acc, accOff + 8 * n) : FloatVector.zero(s);
        FloatVector a41 = resume ? FloatVector.fromArray(s, acc, accOff + 9 * n) : FloatVector.zero(s);
        FloatVector a50 = resume ? FloatVector.fromArray(s, acc, accOff + 10 * n) : FloatVector.zero(s);
        FloatVector a51 = resume ? FloatVector.fromArray(s, acc, accOff + 11 * n) : FloatVector.zero(s);
        for (int i = 0; i < count; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector x1 = FloatVector.fromArray(s, xt, xo + n);
            FloatVector c = FloatVector.broadcast(s, w[checkedInLoop(wOff + i)]);
            a00 = c.fma(x0, a00);
            a01 = c.fma(x1, a01);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + wStride + i)]);
            a10 = c.fma(x0, a10);
            a11 = c.fma(x1, a11);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 2 * wStride + i)]);
            a20 = c.fma(x0, a20);
            a21 = c.fma(x1, a21);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 3 * wStride + i)]);
            a30 = c.fma(x0, a30);
            a31 = c.fma(x1, a31);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 4 * wStride + i)]);
            a40 = c.fma(x0, a40);
            a41 = c.fma(x1, a41);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 5 * wStride + i)]);
            a50 = c.fma(x0, a50);
            a51 = c.fma(x1, a51);
        }
        a00.intoArray(acc, accOff);
        a01.intoArray(acc, accOff + 1 * n);
        a10.intoArray(acc, accOff + 2 * n);
        a11.intoArray(acc, accOff + 3 * n);
        a20.intoArray(acc, accOff + 4 * n);
        a21.intoArray(acc, accOff + 5 * n);
        a30.intoArray(acc, accOff + 6 * n);
        a31.intoArray(acc, accOff + 7 * n);
        a40.intoArray(acc, accOff + 8 * n);
        a41.intoArray(acc, accOff + 9 * n);
        a50.intoArray(acc, accOff + 10 * n);
        a51.intoArray(acc, accOff + 11 * n);
    }

    static void rows8x1(float[] w, int wOff, int wStride, float[] xt, int xtOff, int count, float[] acc, int accOff,
            boolean resume) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 1 * n;
        FloatVector a00 = resume ? FloatVector.fromArray(s, acc, accOff) : FloatVector.zero(s);
        FloatVector a10 = resume ? FloatVector.fromArray(s, acc, accOff + 1 * n) : FloatVector.zero(s);
        FloatVector a20 = resume ? FloatVector.fromArray(s, acc, accOff + 2 * n) : FloatVector.zero(s);
        FloatVector a30 = resume ? FloatVector.fromArray(s, acc, accOff + 3 * n) : FloatVector.zero(s);
        FloatVector a40 = resume ? FloatVector.fromArray(s, acc, accOff + 4 * n) : FloatVector.zero(s);
        FloatVector a50 = resume ? FloatVector.fromArray(s, acc, accOff + 5 * n) : FloatVector.zero(s);
        FloatVector a60 = resume ? FloatVector.fromArray(s, acc, accOff + 6 * n) : FloatVector.zero(s);
        FloatVector a70 = resume ? FloatVector.fromArray(s, acc, accOff + 7 * n) : FloatVector.zero(s);
        for (int i = 0; i < count; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector c = FloatVector.broadcast(s, w[checkedInLoop(wOff + i)]);
            a00 = c.fma(x0, a00);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + wStride + i)]);
            a10 = c.fma(x0, a10);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 2 * wStride + i)]);
            a20 = c.fma(x0, a20);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 3 * wStride + i)]);
            a30 = c.fma(x0, a30);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 4 * wStride + i)]);
            a40 = c.fma(x0, a40);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 5 * wStride + i)]);
            a50 = c.fma(x0, a50);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 6 * wStride + i)]);
            a60 = c.fma(x0, a60);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 7 * wStride + i)]);
            a70 = c.fma(x0, a70);
        }
        a00.intoArray(acc, accOff);
        a10.intoArray(acc, accOff + 1 * n);
        a20.intoArray(acc, accOff + 2 * n);
        a30.intoArray(acc, accOff + 3 * n);
        a40.intoArray(acc, accOff + 4 * n);
        a50.intoArray(acc, accOff + 5 * n);
        a60.intoArray(acc, accOff + 6 * n);
        a70.intoArray(acc, accOff + 7 * n);
    }

    static void rows8x2(float[] w, int wOff, int wStride, float[] xt, int xtOff, int count, float[] acc, int accOff,
            boolean resume) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 2 * n;
        FloatVector a00 = resume ? FloatVector.fromArray(s, acc, accOff) : FloatVector.zero(s);
        FloatVector a01 = resume ? FloatVector.fromArray(s, acc, accOff + 1 * n) : FloatVector.zero(s);
        FloatVector a10 = resume ? FloatVector.fromArray(s, acc, accOff + 2 * n) : FloatVector.zero(s);
        FloatVector a11 = resume ? FloatVector.fromArray(s, acc, accOff + 3 * n) : FloatVector.zero(s);
        FloatVector a20 = resume ? FloatVector.fromArray(s, acc, accOff + 4 * n) : FloatVector.zero(s);
        FloatVector a21 = resume ? FloatVector.fromArray(s, acc, accOff + 5 * n) : FloatVector.zero(s);
        FloatVector a30 = resume ? FloatVector.fromArray(s, acc, accOff + 6 * n) : FloatVector.zero(s);
        FloatVector a31 = resume ? FloatVector.fromArray(s, acc, accOff + 7 * n) : FloatVector.zero(s);
        FloatVector a40 = resume ? FloatVector.fromArray(s, acc, accOff + 8 * n) : FloatVector.zero(s);
        FloatVector a41 = resume ? FloatVector.fromArray(s, acc, accOff + 9 * n) : FloatVector.zero(s);
        FloatVector a50 = resume ? FloatVector.fromArray(s, acc, accOff + 10 * n) : FloatVector.zero(s);
        FloatVector a51 = resume ? FloatVector.fromArray(s, acc, accOff + 11 * n) : FloatVector.zero(s);
        FloatVector a60 = resume ? FloatVector.fromArray(s, acc, accOff + 12 * n) : FloatVector.zero(s);
        FloatVector a61 = resume ? FloatVector.fromArray(s, acc, accOff + 13 * n) : FloatVector.zero(s);
        FloatVector a70 = resume ? FloatVector.fromArray(s, acc, accOff + 14 * n) : FloatVector.zero(s);
        FloatVector a71 = resume ? FloatVector.fromArray(s, acc, accOff + 15 * n) : FloatVector.zero(s);
        for (int i = 0; i < count; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector x1 = FloatVector.fromArray(s, xt, xo + n);
            FloatVector c = FloatVector.broadcast(s, w[checkedInLoop(wOff + i)]);
            a00 = c.fma(x0, a00);
            a01 = c.fma(x1, a01);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + wStride + i)]);
            a10 = c.fma(x0, a10);
            a11 = c.fma(x1, a11);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 2 * wStride + i)]);
            a20 = c.fma(x0, a20);
            a21 = c.fma(x1, a21);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 3 * wStride + i)]);
            a30 = c.fma(x0, a30);
            a31 = c.fma(x1, a31);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 4 * wStride + i)]);
            a40 = c.fma(x0, a40);
            a41 = c.fma(x1, a41);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 5 * wStride + i)]);
            a50 = c.fma(x0, a50);
            a51 = c.fma(x1, a51);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 6 * wStride + i)]);
            a60 = c.fma(x0, a60);
            a61 = c.fma(x1, a61);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 7 * wStride + i)]);
            a70 = c.fma(x0, a70);
            a71 = c.fma(x1, a71);
        }
        a00.intoArray(acc, accOff);
        a01.intoArray(acc, accOff + 1 * n);
        a10.intoArray(acc, accOff + 2 * n);
        a11.intoArray(acc, accOff + 3 * n);
        a20.intoArray(acc, accOff + 4 * n);
        a21.intoArray(acc, accOff + 5 * n);
        a30.intoArray(acc, accOff + 6 * n);
        a31.intoArray(acc, accOff + 7 * n);
        a40.intoArray(acc, accOff + 8 * n);
        a41.intoArray(acc, accOff + 9 * n);
        a50.intoArray(acc, accOff + 10 * n);
        a51.intoArray(acc, accOff + 11 * n);
        a60.intoArray(acc, accOff + 12 * n);
        a61.intoArray(acc, accOff + 13 * n);
        a70.intoArray(acc, accOff + 14 * n);
        a71.intoArray(acc, accOff + 15 * n);
    }

    static void rows8x3(float[] w, int wOff, int wStride, float[] xt, int xtOff, int count, float[] acc, int accOff,
            boolean resume) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 3 * n;
        FloatVector a00 = resume ? FloatVector.fromArray(s, acc, accOff) : FloatVector.zero(s);
        FloatVector a01 = resume ? FloatVector.fromArray(s, acc, accOff + 1 * n) : FloatVector.zero(s);
        FloatVector a02 = resume ? FloatVector.fromArray(s, acc, accOff + 2 * n) : FloatVector.zero(s);
        FloatVector a10 = resume ? FloatVector.fromArray(s, acc, accOff + 3 * n) : FloatVector.zero(s);
        FloatVector a11 = resume ? FloatVector.fromArray(s, acc, accOff + 4 * n) : FloatVector.zero(s);
        FloatVector a12 = resume ? FloatVector.fromArray(s, acc, accOff + 5 * n) : FloatVector.zero(s);
        FloatVector a20 = resume ? FloatVector.fromArray(s, acc, accOff + 6 * n) : FloatVector.zero(s);
        FloatVector a21 = resume ? FloatVector.fromArray(s, acc, accOff + 7 * n) : FloatVector.zero(s);
        FloatVector a22 = resume ? FloatVector.fromArray(s, acc, accOff + 8 * n) : FloatVector.zero(s);
        FloatVector a30 = resume ? FloatVector.fromArray(s, acc, accOff + 9 * n) : FloatVector.zero(s);
        FloatVector a31 = resume ? FloatVector.fromArray(s, acc, accOff + 10 * n) : FloatVector.zero(s);
        FloatVector a32 = resume ? FloatVector.fromArray(s, acc, accOff + 11 * n) : FloatVector.zero(s);
        FloatVector a40 = resume ? FloatVector.fromArray(s, acc, accOff + 12 * n) : FloatVector.zero(s);
        FloatVector a41 = resume ? FloatVector.fromArray(s, acc, accOff + 13 * n) : FloatVector.zero(s);
        FloatVector a42 = resume ? FloatVector.fromArray(s, acc, accOff + 14 * n) : FloatVector.zero(s);
        FloatVector a50 = resume ? FloatVector.fromArray(s, acc, accOff + 15 * n) : FloatVector.zero(s);
        FloatVector a51 = resume ? FloatVector.fromArray(s, acc, accOff + 16 * n) : FloatVector.zero(s);
        FloatVector a52 = resume ? FloatVector.fromArray(s, acc, accOff + 17 * n) : FloatVector.zero(s);
        FloatVector a60 = resume ? FloatVector.fromArray(s, acc, accOff + 18 * n) : FloatVector.zero(s);
        FloatVector a61 = resume ? FloatVector.fromArray(s, acc, accOff + 19 * n) : FloatVector.zero(s);
        FloatVector a62 = resume ? FloatVector.fromArray(s, acc, accOff + 20 * n) : FloatVector.zero(s);
        FloatVector a70 = resume ? FloatVector.fromArray(s, acc, accOff + 21 * n) : FloatVector.zero(s);
        FloatVector a71 = resume ? FloatVector.fromArray(s, acc, accOff + 22 * n) : FloatVector.zero(s);
        FloatVector a72 = resume ? FloatVector.fromArray(s, acc, accOff + 23 * n) : FloatVector.zero(s);
        for (int i = 0; i < count; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector x1 = FloatVector.fromArray(s, xt, xo + n);
            FloatVector x2 = FloatVector.fromArray(s, xt, xo + 2 * n);
            FloatVector c = FloatVector.broadcast(s, w[checkedInLoop(wOff + i)]);
            a00 = c.fma(x0, a00);
            a01 = c.fma(x1, a01);
            a02 = c.fma(x2, a02);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + wStride + i)]);
            a10 = c.fma(x0, a10);
            a11 = c.fma(x1, a11);
            a12 = c.fma(x2, a12);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 2 * wStride + i)]);
            a20 = c.fma(x0, a20);
            a21 = c.fma(x1, a21);
            a22 = c.fma(x2, a22);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 3 * wStride + i)]);
            a30 = c.fma(x0, a30);
            a31 = c.fma(x1, a31);
            a32 = c.fma(x2, a32);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 4 * wStride + i)]);
            a40 = c.fma(x0, a40);
            a41 = c.fma(x1, a41);
            a42 = c.fma(x2, a42);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 5 * wStride + i)]);
            a50 = c.fma(x0, a50);
            a51 = c.fma(x1, a51);
            a52 = c.fma(x2, a52);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 6 * wStride + i)]);
            a60 = c.fma(x0, a60);
            a61 = c.fma(x1, a61);
            a62 = c.fma(x2, a62);
            c = FloatVector.broadcast(s, w[checkedInLoop(wOff + 7 * wStride + i)]);
            a70 = c.fma(x0, a70);
            a71 = c.fma(x1, a71);
            a72 = c.fma(x2, a72);
        }
        a00.intoArray(acc, accOff);
        a01.intoArray(acc, accOff + 1 * n);
        a02.intoArray(acc, accOff + 2 * n);
        a10.intoArray(acc, accOff + 3 * n);
        a11.intoArray(acc, accOff + 4 * n);
        a12.intoArray(acc, accOff + 5 * n);
        a20.intoArray(acc, accOff + 6 * n);
        a21.intoArray(acc, accOff + 7 * n);
        a22.intoArray(acc, accOff + 8 * n);
        a30.intoArray(acc, accOff + 9 * n);
        a31.intoArray(acc, accOff + 10 * n);
        a32.intoArray(acc, accOff + 11 * n);
        a40.intoArray(acc, accOff + 12 * n);
        a41.intoArray(acc, accOff + 13 * n);
        a42.intoArray(acc, accOff + 14 * n);
        a50.intoArray(acc, accOff + 15 * n);
        a51.intoArray(acc, accOff + 16 * n);
        a52.intoArray(acc, accOff + 17 * n);
        a60.intoArray(acc, accOff + 18 * n);
        a61.intoArray(acc, accOff + 19 * n);
        a62.intoArray(acc, accOff + 20 * n);
        a70.intoArray(acc, accOff + 21 * n);
        a71.intoArray(acc, accOff + 22 * n);
        a72.intoArray(acc, accOff + 23 * n);
    }
}
