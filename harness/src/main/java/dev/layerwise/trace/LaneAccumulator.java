package dev.layerwise.trace;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float64 sums, extrema, counts and sketch of one step, in the summation order of
 * docs/trace-format.md ("Statistics"): every sum is kept as {@value #LANES} lane partial sums, lane
 * {@code l} adding the values at flat indices {@code i ≡ l (mod 8)} in increasing i; {@link #combine}
 * reduces the lanes in a fixed tree. Results therefore depend only on the values, never on how they are
 * fed in or on the hardware: the vector paths (8 float64 lanes as one 512-bit or two 256-bit vectors)
 * and the scalar path perform the same additions, lane by lane.
 *
 * <p>Values arrive in segments of one row each, split by the caller; a segment may start or end inside
 * an 8-element group (those values go through the scalar path, lane by lane). The sketch is {@code T - 2 N_j} with T the sum of the finite values and N_j
 * that of the finite values where r_j(i) = -1 (per sketch row and 8 elements one masked add, on 256-bit vectors an
 * AND with a lane mask from a table and an add); non-finite
 * values only count their signed contributions, so that the sketch is +-Infinity or NaN exactly as the
 * signed sum of the spec.
 */
final class LaneAccumulator {
    static final int LANES = 8;
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_512;
    private static final VectorSpecies<Double> H = DoubleVector.SPECIES_256;

    /** How the lane additions are carried out; all give identical results. */
    enum VectorWidth {
        /** One 512-bit vector per 8 lanes (AVX-512). */
        VECTOR_512,
        /** Two 256-bit vectors per 8 lanes (AVX2); non-finite values go through the scalar code. */
        VECTOR_256,
        SCALAR;

        /** The fastest kind this CPU runs natively. */
        static VectorWidth forThisCpu() {
            int bits = DoubleVector.SPECIES_PREFERRED.vectorBitSize();
            return bits >= 512 ? VECTOR_512 : bits == 256 ? VECTOR_256 : SCALAR;
        }
    }

    private static final int SUM = 0;
    private static final int ABS = 8;
    private static final int SQ = 16;
    private static final int ROW = 24;
    private static final int ROW_SQ = 32;
    private static final int FINITE = 40;
    private static final int MIN = 48;
    private static final int MAX = 56;
    private static final int STATE = 64;

    private final VectorWidth width;
    private final boolean vector;
    private final int k;
    private final double[] state = new double[STATE];
    private final double[] saved = new double[STATE];
    /**
     * False while every value so far was finite: then the vector path skips the finiteness masks and the
     * sum of finite values is the sum itself. A segment that turns the sum of squares non-finite is redone
     * with the masks, which stay on until the step ends.
     */
    private boolean masked;
    private long zeros;
    private double[] sketch;
    private long[][] signBits;
    private long nan;
    private long posInf;
    private long negInf;
    private long[] positiveContributions;
    private long[] negativeContributions;
    /** Sign of the first zero seen (0 none yet, 1 +0, -1 -0): the extrema keep it, as an in-order scan does. */
    private int firstZero;

    LaneAccumulator(int k, VectorWidth width) {
        this.k = k;
        this.width = width;
        this.vector = width != VectorWidth.SCALAR;
    }

    void reset(long[][] negativeBits) {
        java.util.Arrays.fill(state, 0);
        java.util.Arrays.fill(state, MIN, MIN + LANES, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(state, MAX, MAX + LANES, Double.NEGATIVE_INFINITY);
        sketch = new double[k * LANES];
        signBits = negativeBits;
        nan = 0;
        posInf = 0;
        negInf = 0;
        positiveContributions = new long[k];
        negativeContributions = new long[k];
        firstZero = 0;
        zeros = 0;
        masked = false;
    }

    /**
     * Adds {@code v[from .. to)}, all of one row; {@code v[p]} has flat index {@code first + p} and
     * {@code first} is a multiple of 8 (so that lane {@code p & 7} is the lane of the flat index and each
     * group's 8 sign bits lie in one word).
     */
    void add(double[] v, int from, int to, long first) {
        int alignedFrom = Math.min(to, (from + LANES - 1) & -LANES);
        int alignedTo = Math.max(alignedFrom, to & -LANES);
        long zerosBefore = zeros;
        boolean special;
        if (!vector) {
            masked = true;
            scalarStats(v, from, to);
            special = hasNonFinite(v, from, to);
        } else if (!masked && unmaskedStats(v, from, to, alignedFrom, alignedTo)) {
            special = false;
        } else if (width == VectorWidth.VECTOR_256) {
            scalarStats(v, from, to);
            special = hasNonFinite(v, from, to);
        } else {
            scalarStats(v, from, alignedFrom);
            long[] counts = {0, 0};
            vectorStats(v, alignedFrom, alignedTo, state, counts);
            zeros += counts[0];
            scalarStats(v, alignedTo, to);
            special = counts[1] != 0 || hasNonFinite(v, from, alignedFrom) || hasNonFinite(v, alignedTo, to);
        }
        if (special) {
            countNonFinite(v, from, to);
        }
        if (firstZero == 0 && zeros > zerosBefore) {
            findFirstZero(v, from, to);
        }
        if (width == VectorWidth.VECTOR_256 && !special) {
            scalarSketch(v, from, alignedFrom, first);
            for (int j = 0; j + 4 <= k; j += 4) {
                sketch4Halves(v, alignedFrom, alignedTo, first, signBits[j], signBits[j + 1], signBits[j + 2],
                        signBits[j + 3], sketch, j * LANES);
            }
            for (int j = k & -4; j < k; j++) {
                scalarSketchGroups(v, alignedFrom, alignedTo, first, signBits[j], sketch, j * LANES);
            }
            scalarSketch(v, alignedTo, to, first);
        } else if (vector && !special) {
            scalarSketch(v, from, alignedFrom, first);
            for (int j = 0; j + 4 <= k; j += 4) {
                sketch4(v, alignedFrom, alignedTo, first, signBits[j], signBits[j + 1], signBits[j + 2],
                        signBits[j + 3], sketch, j * LANES);
            }
            for (int j = k & -4; j < k; j++) {
                sketch1(v, alignedFrom, alignedTo, first, signBits[j], sketch, j * LANES);
            }
            scalarSketch(v, alignedTo, to, first);
        } else if (!special) {
            scalarSketch(v, from, alignedFrom, first);
            for (int j = 0; j < k; j++) {
                scalarSketchGroups(v, alignedFrom, alignedTo, first, signBits[j], sketch, j * LANES);
            }
            scalarSketch(v, alignedTo, to, first);
        } else {
            scalarSketch(v, from, to, first);
        }
    }

    /**
     * The statistics of an all-finite segment without finiteness masks. Returns false, with the state
     * as before and the masks switched on, when the segment holds a non-finite value (or squares overflow).
     */
    private boolean unmaskedStats(double[] v, int from, int to, int alignedFrom, int alignedTo) {
        System.arraycopy(state, 0, saved, 0, STATE);
        long zerosBefore = zeros;
        scalarStats(v, from, alignedFrom);
        zeros += width == VectorWidth.VECTOR_512 ? unmaskedVectorStats(v, alignedFrom, alignedTo, state)
                : unmaskedHalvesStats(v, alignedFrom, alignedTo, state);
        scalarStats(v, alignedTo, to);
        boolean finite = true;
        for (int l = 0; l < LANES; l++) {
            finite &= Math.abs(state[SQ + l]) < Double.POSITIVE_INFINITY;
        }
        if (finite) {
            return true;
        }
        System.arraycopy(saved, 0, state, 0, STATE);
        System.arraycopy(saved, SUM, state, FINITE, LANES);
        zeros = zerosBefore;
        masked = true;
        return false;
    }

    private void scalarStats(double[] v, int from, int to) {
        double[] st = state;
        for (int p = from; p < to; p++) {
            double x = v[p];
            int l = p & (LANES - 1);
            double sq = x * x;
            st[SUM + l] += x;
            st[ABS + l] += Math.abs(x);
            st[SQ + l] += sq;
            st[ROW + l] += x;
            st[ROW_SQ + l] += sq;
            if (Math.abs(x) < Double.POSITIVE_INFINITY) {
                if (masked) {
                    st[FINITE + l] += x;
                }
                if (x < st[MIN + l]) {
                    st[MIN + l] = x;
                }
                if (x > st[MAX + l]) {
                    st[MAX + l] = x;
                }
                if (x == 0) {
                    zeros++;
                }
            }
        }
    }

    /** Statistics of whole groups {@code [from, to)} with no non-finite value; returns the number of zeros. */
    private static long unmaskedVectorStats(double[] v, int from, int to, double[] st) {
        if (from >= to) {
            return 0;
        }
        DoubleVector s = DoubleVector.fromArray(S, st, SUM);
        DoubleVector a = DoubleVector.fromArray(S, st, ABS);
        DoubleVector q = DoubleVector.fromArray(S, st, SQ);
        DoubleVector rs = DoubleVector.fromArray(S, st, ROW);
        DoubleVector rq = DoubleVector.fromArray(S, st, ROW_SQ);
        DoubleVector lo = DoubleVector.fromArray(S, st, MIN);
        DoubleVector hi = DoubleVector.fromArray(S, st, MAX);
        long z = 0;
        for (int p = from; p < to; p += LANES) {
            DoubleVector x = DoubleVector.fromArray(S, v, p);
            DoubleVector sq = x.mul(x);
            s = s.add(x);
            a = a.add(x.abs());
            q = q.add(sq);
            rs = rs.add(x);
            rq = rq.add(sq);
            lo = lo.blend(x, x.lt(lo));
            hi = hi.blend(x, hi.lt(x));
            z += x.eq(0).trueCount();
        }
        s.intoArray(st, SUM);
        a.intoArray(st, ABS);
        q.intoArray(st, SQ);
        rs.intoArray(st, ROW);
        rq.intoArray(st, ROW_SQ);
        lo.intoArray(st, MIN);
        hi.intoArray(st, MAX);
        return z;
    }

    /** {@link #unmaskedVectorStats} with two 256-bit vectors (lanes 0-3 and 4-7) per group. */
    private static long unmaskedHalvesStats(double[] v, int from, int to, double[] st) {
        if (from >= to) {
            return 0;
        }
        DoubleVector s0 = DoubleVector.fromArray(H, st, SUM);
        DoubleVector s1 = DoubleVector.fromArray(H, st, SUM + 4);
        DoubleVector a0 = DoubleVector.fromArray(H, st, ABS);
        DoubleVector a1 = DoubleVector.fromArray(H, st, ABS + 4);
        DoubleVector q0 = DoubleVector.fromArray(H, st, SQ);
        DoubleVector q1 = DoubleVector.fromArray(H, st, SQ + 4);
        DoubleVector r0 = DoubleVector.fromArray(H, st, ROW);
        DoubleVector r1 = DoubleVector.fromArray(H, st, ROW + 4);
        DoubleVector rq0 = DoubleVector.fromArray(H, st, ROW_SQ);
        DoubleVector rq1 = DoubleVector.fromArray(H, st, ROW_SQ + 4);
        DoubleVector lo0 = DoubleVector.fromArray(H, st, MIN);
        DoubleVector lo1 = DoubleVector.fromArray(H, st, MIN + 4);
        DoubleVector hi0 = DoubleVector.fromArray(H, st, MAX);
        DoubleVector hi1 = DoubleVector.fromArray(H, st, MAX + 4);
        // two loops over the segment: the sums' 10 accumulators and the extrema's 4 together would need more than
        // AVX2's 16 registers, and every iteration would spill and reload some of them
        for (int p = from; p < to; p += LANES) {
            DoubleVector x0 = DoubleVector.fromArray(H, v, p);
            DoubleVector x1 = DoubleVector.fromArray(H, v, p + 4);
            DoubleVector sq0 = x0.mul(x0);
            DoubleVector sq1 = x1.mul(x1);
            s0 = s0.add(x0);
            s1 = s1.add(x1);
            a0 = a0.add(x0.abs());
            a1 = a1.add(x1.abs());
            q0 = q0.add(sq0);
            q1 = q1.add(sq1);
            r0 = r0.add(x0);
            r1 = r1.add(x1);
            rq0 = rq0.add(sq0);
            rq1 = rq1.add(sq1);
        }
        long z = 0;
        for (int p = from; p < to; p += LANES) {
            DoubleVector x0 = DoubleVector.fromArray(H, v, p);
            DoubleVector x1 = DoubleVector.fromArray(H, v, p + 4);
            lo0 = lo0.blend(x0, x0.lt(lo0));
            lo1 = lo1.blend(x1, x1.lt(lo1));
            hi0 = hi0.blend(x0, hi0.lt(x0));
            hi1 = hi1.blend(x1, hi1.lt(x1));
            z += x0.eq(0).trueCount() + x1.eq(0).trueCount();
        }
        s0.intoArray(st, SUM);
        s1.intoArray(st, SUM + 4);
        a0.intoArray(st, ABS);
        a1.intoArray(st, ABS + 4);
        q0.intoArray(st, SQ);
        q1.intoArray(st, SQ + 4);
        r0.intoArray(st, ROW);
        r1.intoArray(st, ROW + 4);
        rq0.intoArray(st, ROW_SQ);
        rq1.intoArray(st, ROW_SQ + 4);
        lo0.intoArray(st, MIN);
        lo1.intoArray(st, MIN + 4);
        hi0.intoArray(st, MAX);
        hi1.intoArray(st, MAX + 4);
        return z;
    }

    /**
     * Statistics of whole groups {@code [from, to)} with finiteness masks; {@code counts} receives the
     * number of zeros and of non-finite values.
     */
    private static void vectorStats(double[] v, int from, int to, double[] st, long[] counts) {
        if (from >= to) {
            return;
        }
        DoubleVector s = DoubleVector.fromArray(S, st, SUM);
        DoubleVector a = DoubleVector.fromArray(S, st, ABS);
        DoubleVector q = DoubleVector.fromArray(S, st, SQ);
        DoubleVector rs = DoubleVector.fromArray(S, st, ROW);
        DoubleVector rq = DoubleVector.fromArray(S, st, ROW_SQ);
        DoubleVector f = DoubleVector.fromArray(S, st, FINITE);
        DoubleVector lo = DoubleVector.fromArray(S, st, MIN);
        DoubleVector hi = DoubleVector.fromArray(S, st, MAX);
        long z = 0;
        long nf = 0;
        DoubleVector inf = DoubleVector.broadcast(S, Double.POSITIVE_INFINITY);
        for (int p = from; p < to; p += LANES) {
            DoubleVector x = DoubleVector.fromArray(S, v, p);
            DoubleVector ax = x.abs();
            DoubleVector sq = x.mul(x);
            s = s.add(x);
            a = a.add(ax);
            q = q.add(sq);
            rs = rs.add(x);
            rq = rq.add(sq);
            VectorMask<Double> finite = ax.lt(inf);
            f = f.add(x, finite);
            lo = lo.blend(x, x.lt(lo).and(finite));
            hi = hi.blend(x, hi.lt(x).and(finite));
            z += x.eq(0).trueCount();
            nf += finite.not().trueCount();
        }
        s.intoArray(st, SUM);
        a.intoArray(st, ABS);
        q.intoArray(st, SQ);
        rs.intoArray(st, ROW);
        rq.intoArray(st, ROW_SQ);
        f.intoArray(st, FINITE);
        lo.intoArray(st, MIN);
        hi.intoArray(st, MAX);
        counts[0] = z;
        counts[1] = nf;
    }

    /** Four sketch rows over whole groups: {@code acc[o + 8r + l]} += x where r_{j+r}(i) = -1. */
    private static void sketch4(double[] v, int from, int to, long first, long[] b0, long[] b1, long[] b2,
            long[] b3, double[] acc, int o) {
        if (from >= to) {
            return;
        }
        DoubleVector k0 = DoubleVector.fromArray(S, acc, o);
        DoubleVector k1 = DoubleVector.fromArray(S, acc, o + LANES);
        DoubleVector k2 = DoubleVector.fromArray(S, acc, o + 2 * LANES);
        DoubleVector k3 = DoubleVector.fromArray(S, acc, o + 3 * LANES);
        int p = from;
        while (p < to) {
            // the groups up to the end of this sign word take their masks from four words kept in registers
            long i = first + p;
            int w = (int) (i >>> 6);
            int shift = (int) i & 63;
            long m0 = b0[w] >>> shift;
            long m1 = b1[w] >>> shift;
            long m2 = b2[w] >>> shift;
            long m3 = b3[w] >>> shift;
            int end = Math.min(to, p + 64 - shift);
            for (; p < end; p += LANES) {
                DoubleVector x = DoubleVector.fromArray(S, v, p);
                k0 = k0.add(x, VectorMask.fromLong(S, m0 & 0xff));
                k1 = k1.add(x, VectorMask.fromLong(S, m1 & 0xff));
                k2 = k2.add(x, VectorMask.fromLong(S, m2 & 0xff));
                k3 = k3.add(x, VectorMask.fromLong(S, m3 & 0xff));
                m0 >>>= 8;
                m1 >>>= 8;
                m2 >>>= 8;
                m3 >>>= 8;
            }
        }
        k0.intoArray(acc, o);
        k1.intoArray(acc, o + LANES);
        k2.intoArray(acc, o + 2 * LANES);
        k3.intoArray(acc, o + 3 * LANES);
    }

    /**
     * {@link #sketch4} with two 256-bit vectors per group: lanes 0-3 take sign bits 0-3, lanes 4-7 bits 4-7, ANDed
     * with lane masks from {@link #BYTE_MASKS}; as in {@link #sketch4}, the four sign words stay in registers for the
     * groups they cover.
     */
    private static void sketch4Halves(double[] v, int from, int to, long first, long[] b0, long[] b1, long[] b2,
            long[] b3, double[] acc, int o) {
        if (from >= to) {
            return;
        }
        DoubleVector k0 = DoubleVector.fromArray(H, acc, o);
        DoubleVector k0h = DoubleVector.fromArray(H, acc, o + 4);
        DoubleVector k1 = DoubleVector.fromArray(H, acc, o + LANES);
        DoubleVector k1h = DoubleVector.fromArray(H, acc, o + LANES + 4);
        DoubleVector k2 = DoubleVector.fromArray(H, acc, o + 2 * LANES);
        DoubleVector k2h = DoubleVector.fromArray(H, acc, o + 2 * LANES + 4);
        DoubleVector k3 = DoubleVector.fromArray(H, acc, o + 3 * LANES);
        DoubleVector k3h = DoubleVector.fromArray(H, acc, o + 3 * LANES + 4);
        int p = from;
        while (p < to) {
            long i = first + p;
            int w = (int) (i >>> 6);
            int shift = (int) i & 63;
            long m0 = b0[w] >>> shift;
            long m1 = b1[w] >>> shift;
            long m2 = b2[w] >>> shift;
            long m3 = b3[w] >>> shift;
            int end = Math.min(to, p + 64 - shift);
            for (; p < end; p += LANES) {
                DoubleVector x = DoubleVector.fromArray(H, v, p);
                DoubleVector xh = DoubleVector.fromArray(H, v, p + 4);
                // the group's sign byte times 8: where its 8 lane masks start in BYTE_MASKS
                int a0 = (int) (m0 << 3) & 0x7f8;
                int a1 = (int) (m1 << 3) & 0x7f8;
                int a2 = (int) (m2 << 3) & 0x7f8;
                int a3 = (int) (m3 << 3) & 0x7f8;
                k0 = k0.add(selected(x, a0));
                k0h = k0h.add(selected(xh, a0 + 4));
                k1 = k1.add(selected(x, a1));
                k1h = k1h.add(selected(xh, a1 + 4));
                k2 = k2.add(selected(x, a2));
                k2h = k2h.add(selected(xh, a2 + 4));
                k3 = k3.add(selected(x, a3));
                k3h = k3h.add(selected(xh, a3 + 4));
                m0 >>>= 8;
                m1 >>>= 8;
                m2 >>>= 8;
                m3 >>>= 8;
            }
        }
        k0.intoArray(acc, o);
        k0h.intoArray(acc, o + 4);
        k1.intoArray(acc, o + LANES);
        k1h.intoArray(acc, o + LANES + 4);
        k2.intoArray(acc, o + 2 * LANES);
        k2h.intoArray(acc, o + 2 * LANES + 4);
        k3.intoArray(acc, o + 3 * LANES);
        k3h.intoArray(acc, o + 3 * LANES + 4);
    }

    /**
     * For each byte value m, 8 longs: all ones in lane l when bit l of m is set. AVX2 has no mask registers, and a
     * mask built from bits costs more there than loading one (measured on an AMD EPYC with 256-bit vectors: the
     * 16-row sketch 2.8 ns/value with masks from bits, 1.8 with a table). 16 KiB.
     */
    private static final long[] BYTE_MASKS = new long[256 * LANES];

    static {
        for (int m = 0; m < 256; m++) {
            for (int l = 0; l < LANES; l++) {
                BYTE_MASKS[LANES * m + l] = ((m >>> l) & 1) != 0 ? -1L : 0L;
            }
        }
    }

    /** {@code x} in the lanes whose masks start at {@code BYTE_MASKS[at]}, +0 elsewhere (adding +0 changes no sum). */
    private static DoubleVector selected(DoubleVector x, int at) {
        return x.reinterpretAsLongs().and(LongVector.fromArray(LongVector.SPECIES_256, BYTE_MASKS, at))
                .reinterpretAsDoubles();
    }

    private static void sketch1(double[] v, int from, int to, long first, long[] b0, double[] acc, int o) {
        if (from >= to) {
            return;
        }
        DoubleVector k0 = DoubleVector.fromArray(S, acc, o);
        for (int p = from; p < to; p += LANES) {
            long i = first + p;
            DoubleVector x = DoubleVector.fromArray(S, v, p);
            k0 = k0.add(x, VectorMask.fromLong(S, (b0[(int) (i >>> 6)] >>> ((int) i & 63)) & 0xff));
        }
        k0.intoArray(acc, o);
    }

    /**
     * The sketch without vectors: the same lane additions as the vector path (each lane's terms in
     * increasing index), sketch row by sketch row; non-finite values only count their contributions.
     */
    private void scalarSketch(double[] v, int from, int to, long first) {
        if (from >= to) {
            return;
        }
        double[] acc = sketch;
        for (int j = 0; j < k; j++) {
            long[] bits = signBits[j];
            int o = j * LANES;
            for (int p = from; p < to; p++) {
                double x = v[p];
                long i = first + p;
                double finite = Math.abs(x) < Double.POSITIVE_INFINITY ? x : 0.0;
                // x * 1 or +-0: adding a zero leaves a lane sum unchanged (it is never -0), and no
                // branch on the random sign bit
                acc[o + (p & (LANES - 1))] += finite * ((bits[(int) (i >>> 6)] >>> i) & 1L);
            }
        }
        for (int p = from; p < to; p++) {
            double x = v[p];
            if (Math.abs(x) == Double.POSITIVE_INFINITY) {
                long i = first + p;
                for (int j = 0; j < k; j++) {
                    boolean negative = ((signBits[j][(int) (i >>> 6)] >>> i) & 1L) != 0;
                    if (x > 0 != negative) {
                        positiveContributions[j]++;
                    } else {
                        negativeContributions[j]++;
                    }
                }
            }
        }
    }

    /**
     * One sketch row over whole groups of finite values without vectors: the 8 lanes in locals, each
     * value times its sign bit (x or +-0, which leaves a lane sum unchanged), so no branch on the bit.
     */
    private static void scalarSketchGroups(double[] v, int from, int to, long first, long[] bits, double[] acc,
            int o) {
        double a0 = acc[o];
        double a1 = acc[o + 1];
        double a2 = acc[o + 2];
        double a3 = acc[o + 3];
        double a4 = acc[o + 4];
        double a5 = acc[o + 5];
        double a6 = acc[o + 6];
        double a7 = acc[o + 7];
        for (int p = from; p < to; p += LANES) {
            long i = first + p;
            long m = bits[(int) (i >>> 6)] >>> i;
            a0 += v[p] * (m & 1);
            a1 += v[p + 1] * ((m >>> 1) & 1);
            a2 += v[p + 2] * ((m >>> 2) & 1);
            a3 += v[p + 3] * ((m >>> 3) & 1);
            a4 += v[p + 4] * ((m >>> 4) & 1);
            a5 += v[p + 5] * ((m >>> 5) & 1);
            a6 += v[p + 6] * ((m >>> 6) & 1);
            a7 += v[p + 7] * ((m >>> 7) & 1);
        }
        acc[o] = a0;
        acc[o + 1] = a1;
        acc[o + 2] = a2;
        acc[o + 3] = a3;
        acc[o + 4] = a4;
        acc[o + 5] = a5;
        acc[o + 6] = a6;
        acc[o + 7] = a7;
    }

    private static boolean hasNonFinite(double[] v, int from, int to) {
        for (int p = from; p < to; p++) {
            if (!(Math.abs(v[p]) < Double.POSITIVE_INFINITY)) {
                return true;
            }
        }
        return false;
    }

    private void countNonFinite(double[] v, int from, int to) {
        for (int p = from; p < to; p++) {
            double x = v[p];
            if (x != x) {
                nan++;
            } else if (x == Double.POSITIVE_INFINITY) {
                posInf++;
            } else if (x == Double.NEGATIVE_INFINITY) {
                negInf++;
            }
        }
    }

    private void findFirstZero(double[] v, int from, int to) {
        for (int p = from; p < to; p++) {
            if (v[p] == 0) {
                firstZero = Double.doubleToRawLongBits(v[p]) == 0 ? 1 : -1;
                return;
            }
        }
    }

    /**
     * Counts {@code count} values of +0.0 that follow the values added so far (in flat order): zeros and extrema
     * change, no sum does (see {@code StepAccumulator.addSkippingZeroRuns}).
     */
    void addPositiveZeros(long count) {
        if (count == 0) {
            return;
        }
        zeros += count;
        if (firstZero == 0) {
            firstZero = 1;
        }
        state[MIN] = state[MIN] > 0 ? 0.0 : state[MIN];
        state[MAX] = state[MAX] < 0 ? 0.0 : state[MAX];
    }

    /** Ends a row: its lane sums reduced to {@code out[0]} (sum) and {@code out[1]} (sum of squares). */
    void endRow(double[] out) {
        out[0] = combine(state, ROW);
        out[1] = combine(state, ROW_SQ);
        java.util.Arrays.fill(state, ROW, ROW_SQ + LANES, 0);
    }

    /** The fixed reduction of 8 lanes: ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)). */
    static double combine(double[] lanes, int o) {
        return ((lanes[o] + lanes[o + 1]) + (lanes[o + 2] + lanes[o + 3]))
                + ((lanes[o + 4] + lanes[o + 5]) + (lanes[o + 6] + lanes[o + 7]));
    }

    double sum() {
        return combine(state, SUM);
    }

    double absSum() {
        return combine(state, ABS);
    }

    double sumSq() {
        return combine(state, SQ);
    }

    long zeros() {
        return zeros;
    }

    long nan() {
        return nan;
    }

    long posInf() {
        return posInf;
    }

    long negInf() {
        return negInf;
    }

    /** The smallest finite value, or +Infinity when there is none. */
    double min() {
        double m = Double.POSITIVE_INFINITY;
        for (int l = 0; l < LANES; l++) {
            m = state[MIN + l] < m ? state[MIN + l] : m;
        }
        return m == 0 ? zero() : m;
    }

    /** The largest finite value, or -Infinity when there is none. */
    double max() {
        double m = Double.NEGATIVE_INFINITY;
        for (int l = 0; l < LANES; l++) {
            m = state[MAX + l] > m ? state[MAX + l] : m;
        }
        return m == 0 ? zero() : m;
    }

    private double zero() {
        return firstZero < 0 ? -0.0 : 0.0;
    }

    /** sketch_j = sum_i r_j(i) x_i. */
    double[] sketch() {
        double total = combine(state, masked ? FINITE : SUM);
        double[] out = new double[k];
        for (int j = 0; j < k; j++) {
            boolean pos = positiveContributions[j] > 0;
            boolean neg = negativeContributions[j] > 0;
            if (nan > 0 || pos && neg) {
                out[j] = Double.NaN;
            } else if (pos) {
                out[j] = Double.POSITIVE_INFINITY;
            } else if (neg) {
                out[j] = Double.NEGATIVE_INFINITY;
            } else {
                out[j] = total - 2 * combine(sketch, j * LANES);
            }
        }
        return out;
    }
}
