package dev.layerwise.engine;

import java.lang.management.ManagementFactory;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class ScratchAcc2Test {
    static final VectorSpecies<Double> L = DoubleVector.SPECIES_PREFERRED;
    static double sink;

    static double stats(double[] v, int n) {
        double s = 0, a = 0, q = 0, rs = 0, rq = 0, lo = 1e300, hi = -1e300; long z = 0, nan = 0;
        for (int p = 0; p < n; p++) {
            double x = v[p]; double sq = x * x;
            s += x; a += Math.abs(x); q += sq; rs += x; rq += sq;
            if (Math.abs(x) < Double.POSITIVE_INFINITY) { lo = x < lo ? x : lo; hi = x > hi ? x : hi; z += x == 0 ? 1 : 0; }
            else nan++;
        }
        return s + a + q + rs + rq + lo + hi + z + nan;
    }

    static double masked(double[] v, byte[] m0, byte[] m1, int n) {
        DoubleVector s0 = DoubleVector.zero(L), s1 = s0;
        for (int p = 0; p < n; p++) {
            DoubleVector x = DoubleVector.broadcast(L, v[p]);
            s0 = s0.add(x, VectorMask.fromLong(L, m0[p] & 0xff));
            s1 = s1.add(x, VectorMask.fromLong(L, m1[p] & 0xff));
        }
        return s0.reduceLanes(jdk.incubator.vector.VectorOperators.ADD) + s1.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    static double blended(double[] v, byte[] m0, byte[] m1, int n, long[] lut) {
        // operand = x where bit set else -0.0 ; using scalar blend table from LUT of 8 lanes
        DoubleVector s0 = DoubleVector.zero(L), s1 = s0;
        DoubleVector negZero = DoubleVector.broadcast(L, -0.0);
        for (int p = 0; p < n; p++) {
            DoubleVector x = DoubleVector.broadcast(L, v[p]);
            VectorMask<Double> k0 = VectorMask.fromLong(L, m0[p] & 0xff);
            VectorMask<Double> k1 = VectorMask.fromLong(L, m1[p] & 0xff);
            s0 = s0.add(negZero.blend(x, k0));
            s1 = s1.add(negZero.blend(x, k1));
        }
        return s0.reduceLanes(jdk.incubator.vector.VectorOperators.ADD) + s1.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    @Test
    void bench() {
        int n = 4096;
        double[] v = new double[n];
        byte[] m0 = new byte[n], m1 = new byte[n];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < n; i++) { v[i] = r.nextGaussian(); m0[i] = (byte) r.nextInt(); m1[i] = (byte) r.nextInt(); }
        var mx = ManagementFactory.getThreadMXBean();
        System.out.println("lanes " + L.length());
        for (int rep = 0; rep < 6; rep++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < 2000; k++) sink += stats(v, n);
            long c1 = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < 2000; k++) sink += masked(v, m0, m1, n);
            long c2 = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < 2000; k++) sink += blended(v, m0, m1, n, null);
            long c3 = mx.getCurrentThreadCpuTime();
            System.out.printf("stats %.2f masked %.2f blended %.2f ns/el%n", (c1 - c0) / (2000.0 * n), (c2 - c1) / (2000.0 * n), (c3 - c2) / (2000.0 * n));
        }
    }
}
