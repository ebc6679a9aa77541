package dev.layerwise.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernels of {@link MatMul}: {@code rowsRxV} multiplies R decoded weight rows
 * ({@code w[r * in + i]}) by V token vectors of a transposed block ({@code xt[xtOff + i * V * lanes + v * lanes + lane]})
 * and writes accumulator (r, v) to {@code result[(r * V + v) * lanes ..]}. Lane j of accumulator (r, v) is the
 * sequential chain {@code s = fma(W[r, i], x[token j, i], s)} for i = 0 .. in-1, starting from +0.
 *
 * <p>One method per tile shape because C2 keeps vectors in registers only when they are named locals (an array of
 * accumulators would live in memory). R x V accumulators + V token vectors + 1 broadcast weight must fit in the
 * vector registers: 6 x 2 (15 of 16 on AVX2) and 8 x 3 (28 of 32 on AVX-512), with narrower tails for the last
 * tokens. See {@link MatMulTile}.
 */
final class MatMulKernels {
    /** The float vector the JVM prefers (capped at 512 bits), fixed for the life of the JVM. */
    static final VectorSpecies<Float> LANES = VectorSpecies.of(float.class,
            VectorShape.forBitSize(Math.max(128, Math.min(512, FloatVector.SPECIES_PREFERRED.vectorBitSize()))));

    private MatMulKernels() {
    }

    /** Runs the {@code rows x vectors} kernel ({@link MatMulTile#supports}). */
    static void run(int rows, int vectors, float[] w, int in, float[] xt, int xtOff, float[] result) {
        switch (rows * 10 + vectors) {
            case 61 -> rows6x1(w, in, xt, xtOff, result);
            case 62 -> rows6x2(w, in, xt, xtOff, result);
            case 81 -> rows8x1(w, in, xt, xtOff, result);
            case 82 -> rows8x2(w, in, xt, xtOff, result);
            case 83 -> rows8x3(w, in, xt, xtOff, result);
            default -> throw new IllegalArgumentException("no " + rows + "x" + vectors + " kernel");
        }
    }

    static void rows6x1(float[] w, int in, float[] xt, int xtOff, float[] result) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 1 * n;
        FloatVector a00 = FloatVector.zero(s);
        FloatVector a10 = a00, a20 = a00, a30 = a00, a40 = a00, a50 = a00;
        for (int i = 0; i < in; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector c = FloatVector.broadcast(s, w[i]);
            a00 = c.fma(x0, a00);
            c = FloatVector.broadcast(s, w[in + i]);
            a10 = c.fma(x0, a10);
            c = FloatVector.broadcast(s, w[2 * in + i]);
            a20 = c.fma(x0, a20);
            c = FloatVector.broadcast(s, w[3 * in + i]);
            a30 = c.fma(x0, a30);
            c = FloatVector.broadcast(s, w[4 * in + i]);
            a40 = c.fma(x0, a40);
            c = FloatVector.broadcast(s, w[5 * in + i]);
            a50 = c.fma(x0, a50);
        }
        a00.intoArray(result, 0);
        a10.intoArray(result, n);
        a20.intoArray(result, 2 * n);
        a30.intoArray(result, 3 * n);
        a40.intoArray(result, 4 * n);
        a50.intoArray(result, 5 * n);
    }

    static void rows6x2(float[] w, int in, float[] xt, int xtOff, float[] result) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 2 * n;
        FloatVector a00 = FloatVector.zero(s);
        FloatVector a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
        for (int i = 0; i < in; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector x1 = FloatVector.fromArray(s, xt, xo + n);
            FloatVector c = FloatVector.broadcast(s, w[i]);
            a00 = c.fma(x0, a00);
            a01 = c.fma(x1, a01);
            c = FloatVector.broadcast(s, w[in + i]);
            a10 = c.fma(x0, a10);
            a11 = c.fma(x1, a11);
            c = FloatVector.broadcast(s, w[2 * in + i]);
            a20 = c.fma(x0, a20);
            a21 = c.fma(x1, a21);
            c = FloatVector.broadcast(s, w[3 * in + i]);
            a30 = c.fma(x0, a30);
            a31 = c.fma(x1, a31);
            c = FloatVector.broadcast(s, w[4 * in + i]);
            a40 = c.fma(x0, a40);
            a41 = c.fma(x1, a41);
            c = FloatVector.broadcast(s, w[5 * in + i]);
            a50 = c.fma(x0, a50);
            a51 = c.fma(x1, a51);
        }
        a00.intoArray(result, 0);
        a01.intoArray(result, n);
        a10.intoArray(result, 2 * n);
        a11.intoArray(result, 3 * n);
        a20.intoArray(result, 4 * n);
        a21.intoArray(result, 5 * n);
        a30.intoArray(result, 6 * n);
        a31.intoArray(result, 7 * n);
        a40.intoArray(result, 8 * n);
        a41.intoArray(result, 9 * n);
        a50.intoArray(result, 10 * n);
        a51.intoArray(result, 11 * n);
    }

    static void rows8x1(float[] w, int in, float[] xt, int xtOff, float[] result) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 1 * n;
        FloatVector a00 = FloatVector.zero(s);
        FloatVector a10 = a00, a20 = a00, a30 = a00, a40 = a00, a50 = a00, a60 = a00, a70 = a00;
        for (int i = 0; i < in; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector c = FloatVector.broadcast(s, w[i]);
            a00 = c.fma(x0, a00);
            c = FloatVector.broadcast(s, w[in + i]);
            a10 = c.fma(x0, a10);
            c = FloatVector.broadcast(s, w[2 * in + i]);
            a20 = c.fma(x0, a20);
            c = FloatVector.broadcast(s, w[3 * in + i]);
            a30 = c.fma(x0, a30);
            c = FloatVector.broadcast(s, w[4 * in + i]);
            a40 = c.fma(x0, a40);
            c = FloatVector.broadcast(s, w[5 * in + i]);
            a50 = c.fma(x0, a50);
            c = FloatVector.broadcast(s, w[6 * in + i]);
            a60 = c.fma(x0, a60);
            c = FloatVector.broadcast(s, w[7 * in + i]);
            a70 = c.fma(x0, a70);
        }
        a00.intoArray(result, 0);
        a10.intoArray(result, n);
        a20.intoArray(result, 2 * n);
        a30.intoArray(result, 3 * n);
        a40.intoArray(result, 4 * n);
        a50.intoArray(result, 5 * n);
        a60.intoArray(result, 6 * n);
        a70.intoArray(result, 7 * n);
    }

    static void rows8x2(float[] w, int in, float[] xt, int xtOff, float[] result) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 2 * n;
        FloatVector a00 = FloatVector.zero(s);
        FloatVector a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        for (int i = 0; i < in; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector x1 = FloatVector.fromArray(s, xt, xo + n);
            FloatVector c = FloatVector.broadcast(s, w[i]);
            a00 = c.fma(x0, a00);
            a01 = c.fma(x1, a01);
            c = FloatVector.broadcast(s, w[in + i]);
            a10 = c.fma(x0, a10);
            a11 = c.fma(x1, a11);
            c = FloatVector.broadcast(s, w[2 * in + i]);
            a20 = c.fma(x0, a20);
            a21 = c.fma(x1, a21);
            c = FloatVector.broadcast(s, w[3 * in + i]);
            a30 = c.fma(x0, a30);
            a31 = c.fma(x1, a31);
            c = FloatVector.broadcast(s, w[4 * in + i]);
            a40 = c.fma(x0, a40);
            a41 = c.fma(x1, a41);
            c = FloatVector.broadcast(s, w[5 * in + i]);
            a50 = c.fma(x0, a50);
            a51 = c.fma(x1, a51);
            c = FloatVector.broadcast(s, w[6 * in + i]);
            a60 = c.fma(x0, a60);
            a61 = c.fma(x1, a61);
            c = FloatVector.broadcast(s, w[7 * in + i]);
            a70 = c.fma(x0, a70);
            a71 = c.fma(x1, a71);
        }
        a00.intoArray(result, 0);
        a01.intoArray(result, n);
        a10.intoArray(result, 2 * n);
        a11.intoArray(result, 3 * n);
        a20.intoArray(result, 4 * n);
        a21.intoArray(result, 5 * n);
        a30.intoArray(result, 6 * n);
        a31.intoArray(result, 7 * n);
        a40.intoArray(result, 8 * n);
        a41.intoArray(result, 9 * n);
        a50.intoArray(result, 10 * n);
        a51.intoArray(result, 11 * n);
        a60.intoArray(result, 12 * n);
        a61.intoArray(result, 13 * n);
        a70.intoArray(result, 14 * n);
        a71.intoArray(result, 15 * n);
    }

    static void rows8x3(float[] w, int in, float[] xt, int xtOff, float[] result) {
        VectorSpecies<Float> s = LANES;
        int n = s.length();
        int stride = 3 * n;
        FloatVector a00 = FloatVector.zero(s);
        FloatVector a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00, a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00, a40 = a00, a41 = a00, a42 = a00, a50 = a00, a51 = a00, a52 = a00, a60 = a00, a61 = a00, a62 = a00, a70 = a00, a71 = a00, a72 = a00;
        for (int i = 0; i < in; i++) {
            int xo = xtOff + i * stride;
            FloatVector x0 = FloatVector.fromArray(s, xt, xo);
            FloatVector x1 = FloatVector.fromArray(s, xt, xo + n);
            FloatVector x2 = FloatVector.fromArray(s, xt, xo + 2 * n);
            FloatVector c = FloatVector.broadcast(s, w[i]);
            a00 = c.fma(x0, a00);
            a01 = c.fma(x1, a01);
            a02 = c.fma(x2, a02);
            c = FloatVector.broadcast(s, w[in + i]);
            a10 = c.fma(x0, a10);
            a11 = c.fma(x1, a11);
            a12 = c.fma(x2, a12);
            c = FloatVector.broadcast(s, w[2 * in + i]);
            a20 = c.fma(x0, a20);
            a21 = c.fma(x1, a21);
            a22 = c.fma(x2, a22);
            c = FloatVector.broadcast(s, w[3 * in + i]);
            a30 = c.fma(x0, a30);
            a31 = c.fma(x1, a31);
            a32 = c.fma(x2, a32);
            c = FloatVector.broadcast(s, w[4 * in + i]);
            a40 = c.fma(x0, a40);
            a41 = c.fma(x1, a41);
            a42 = c.fma(x2, a42);
            c = FloatVector.broadcast(s, w[5 * in + i]);
            a50 = c.fma(x0, a50);
            a51 = c.fma(x1, a51);
            a52 = c.fma(x2, a52);
            c = FloatVector.broadcast(s, w[6 * in + i]);
            a60 = c.fma(x0, a60);
            a61 = c.fma(x1, a61);
            a62 = c.fma(x2, a62);
            c = FloatVector.broadcast(s, w[7 * in + i]);
            a70 = c.fma(x0, a70);
            a71 = c.fma(x1, a71);
            a72 = c.fma(x2, a72);
        }
        a00.intoArray(result, 0);
        a01.intoArray(result, n);
        a02.intoArray(result, 2 * n);
        a10.intoArray(result, 3 * n);
        a11.intoArray(result, 4 * n);
        a12.intoArray(result, 5 * n);
        a20.intoArray(result, 6 * n);
        a21.intoArray(result, 7 * n);
        a22.intoArray(result, 8 * n);
        a30.intoArray(result, 9 * n);
        a31.intoArray(result, 10 * n);
        a32.intoArray(result, 11 * n);
        a40.intoArray(result, 12 * n);
        a41.intoArray(result, 13 * n);
        a42.intoArray(result, 14 * n);
        a50.intoArray(result, 15 * n);
        a51.intoArray(result, 16 * n);
        a52.intoArray(result, 17 * n);
        a60.intoArray(result, 18 * n);
        a61.intoArray(result, 19 * n);
        a62.intoArray(result, 20 * n);
        a70.intoArray(result, 21 * n);
        a71.intoArray(result, 22 * n);
        a72.intoArray(result, 23 * n);
    }
}
