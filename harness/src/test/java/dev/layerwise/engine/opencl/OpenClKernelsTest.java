package dev.layerwise.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.layerwise.engine.Float32Arithmetic;
import dev.layerwise.engine.kernels.AttentionVariant;
import dev.layerwise.engine.kernels.Precision;
import dev.layerwise.engine.kernels.RopeTable;
import dev.layerwise.engine.kernels.RopeVariant;
import dev.layerwise.engine.kernels.WeightMatrix;
import dev.layerwise.engine.kernels.WorkerPool;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import dev.layerwise.testing.Components;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every OpenCL kernel against the CPU engine's op ({@link Float32Arithmetic}) on the same inputs, in every
 * model dtype: the kernels do the same float32 arithmetic and round at the same points, so the outputs
 * must be bit-identical. Edge cases: sizes that are not multiples of the work-group size, one token,
 * values at the float16 limits (overflow, subnormals), NaN and infinities in the inputs.
 */
class OpenClKernelsTest {
    private static final DType[] WEIGHT_DTYPES = {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16};
    private static WorkerPool pool;
    /** One context per dtype, shared by the tests (building the program is the slow part). */
    private static final java.util.Map<DType, Pair> PAIRS = new java.util.EnumMap<>(DType.class);

    @BeforeAll
    static void pool() {
        pool = new WorkerPool(2);
    }

    @AfterAll
    static void closePool() {
        PAIRS.values().forEach(p -> p.ctx.close());
        PAIRS.clear();
        pool.close();
    }

    private static Pair pair(DType dtype) {
        Components.requireOpenCl();
        return PAIRS.computeIfAbsent(dtype, Pair::new);
    }

    /** One device context per test, with the CPU op of the same precision beside it. */
    private static final class Pair {
        final OpenClContext ctx;
        final OpenClKernels gpu;
        final Float32Arithmetic cpu;
        final Precision p;

        Pair(DType dtype) {
            this.p = Precision.of(dtype);
            this.ctx = OpenClContext.open(OpenClDevices.select(null), OpenClKernels.buildOptions(dtype));
            this.gpu = new OpenClKernels(ctx, p, false, GpuFaults.NONE);
            this.cpu = new Float32Arithmetic(p, pool);
        }

        ClBuffer upload(float[] values) {
            ClBuffer b = gpu.allocate(values.length);
            gpu.write(b, values, values.length);
            return b;
        }

        float[] download(ClBuffer b, int n) {
            return java.util.Arrays.copyOf(gpu.read(b, 0, n), n);
        }
    }

    /** Values in the model dtype: ordinary ones, plus the edge values when {@code edges}. */
    private static float[] values(Random r, int n, Precision p, boolean edges) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = p.round((float) r.nextGaussian() * 2f);
        }
        if (edges && n >= 8) {
            v[0] = p.round(65504f);
            v[1] = p.round(-60000f);
            v[2] = p.round(6.0e-8f);
            v[3] = p.round(-3.1e-5f);
            v[4] = Float.NaN;
            v[5] = Float.POSITIVE_INFINITY;
            v[6] = Float.NEGATIVE_INFINITY;
            v[7] = -0f;
        }
        return v;
    }

    private static void assertSameBits(String what, float[] expected, float[] actual, int n) {
        for (int i = 0; i < n; i++) {
            boolean same = Float.isNaN(expected[i]) ? Float.isNaN(actual[i])
                    : Float.floatToRawIntBits(expected[i]) == Float.floatToRawIntBits(actual[i]);
            if (!same) {
                fail(what + ": element " + i + " of " + n + ": cpu " + expected[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + "), opencl " + actual[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
            }
        }
    }

    /** A [rows, cols] weight stored in {@code stored}, from seeded values. */
    static Tensor tensor(String name, DType stored, Random r, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        ByteBuffer bb = ByteBuffer.allocate(n * stored.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            float v = (float) r.nextGaussian() * 0.3f;
            switch (stored) {
                case FLOAT32 -> bb.putFloat(v);
                case FLOAT16 -> bb.putShort(Float.floatToFloat16(v));
                case BFLOAT16 -> bb.putShort(BFloat16.fromFloat(v));
                default -> throw new IllegalArgumentException(stored.toString());
            }
        }
        return new Tensor(name, stored, shape, MemorySegment.ofArray(bb.array()));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT16", "BFLOAT16"})
    void linearMatchesTheCpuForAwkwardShapesAndEveryWeightDtype(DType dtype) {
        {
            Pair k = pair(dtype);
            Random r = new Random(1);
            for (DType stored : WEIGHT_DTYPES) {
                for (int[] s : new int[][] {{1, 37, 19}, {17, 16, 16}, {40, 70, 33}, {3, 1, 5}}) {
                    int rows = s[0];
                    int in = s[1];
                    int out = s[2];
                    WeightMatrix w = new WeightMatrix(tensor("w", stored, r, out, in));
                    float[] x = values(r, rows * in, k.p, rows * in >= 40);
                    float[] expected = new float[rows * out];
                    k.cpu.linear(x, rows, w, expected);
                    ClBuffer y = k.gpu.allocate(rows * out);
                    k.gpu.linear(k.upload(x), rows, w, y);
                    assertSameBits("linear " + rows + "x" + in + "->" + out + " " + stored, expected,
                            k.download(y, rows * out), rows * out);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT16", "BFLOAT16"})
    void embeddingAndRmsNormMatchTheCpu(DType dtype) {
        {
            Pair k = pair(dtype);
            Random r = new Random(2);
            for (DType stored : WEIGHT_DTYPES) {
                int hidden = 37;
                WeightMatrix table = new WeightMatrix(tensor("embed", stored, r, 11, hidden));
                int[] tokens = {3, 0, 10, 3, 7};
                float[] expected = new float[tokens.length * hidden];
                k.cpu.embed(table, tokens, expected);
                ClBuffer e = k.gpu.allocate(expected.length);
                k.gpu.embed(table, tokens, e);
                assertSameBits("embed " + stored, expected, k.download(e, expected.length), expected.length);

                Tensor norm = tensor("norm", stored, r, hidden);
                for (int rows : new int[] {1, 5}) {
                    float[] x = values(r, rows * hidden, k.p, true);
                    float[] want = new float[rows * hidden];
                    k.cpu.rmsNorm(x, rows, hidden, norm, 1e-5, want);
                    ClBuffer y = k.gpu.allocate(want.length);
                    k.gpu.rmsNorm(k.upload(x), rows, hidden, norm, 1e-5, y);
                    assertSameBits("rms_norm rows " + rows + " " + stored, want, k.download(y, want.length), want.length);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT16", "BFLOAT16"})
    void ropeMatchesTheCpuInEveryVariant(DType dtype) {
        {
            Pair k = pair(dtype);
            Random r = new Random(3);
            int heads = 3;
            int headDim = 6;
            for (int tokens : new int[] {1, 7}) {
                for (RopeVariant variant : new RopeVariant[] {RopeVariant.STANDARD, new RopeVariant(true, 0),
                    new RopeVariant(false, 3)}) {
                    RopeTable table = k.cpu.ropeTable(tokens + variant.positionOffset(), headDim, 10000);
                    float[] x = values(r, tokens * heads * headDim, k.p, true);
                    float[] want = new float[x.length];
                    k.cpu.rope(x, tokens, heads, headDim, table, variant, want);
                    ClBuffer y = k.gpu.allocate(x.length);
                    k.gpu.rope(k.upload(x), tokens, heads, headDim, table, variant, y);
                    assertSameBits("rope T=" + tokens + " " + variant, want, k.download(y, x.length), x.length);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT16", "BFLOAT16"})
    void attentionMatchesTheCpuInEveryVariant(DType dtype) {
        {
            Pair k = pair(dtype);
            Random r = new Random(4);
            int heads = 4;
            int kvHeads = 2;
            int headDim = 5;
            AttentionVariant[] variants = {AttentionVariant.STANDARD, new AttentionVariant(false, true, false),
                new AttentionVariant(true, false, false), new AttentionVariant(true, true, true)};
            for (int tokens : new int[] {1, 17}) {
                for (AttentionVariant variant : variants) {
                    float[] q = values(r, tokens * heads * headDim, k.p, false);
                    float[] kk = values(r, tokens * kvHeads * headDim, k.p, false);
                    float[] v = values(r, tokens * kvHeads * headDim, k.p, tokens > 1);
                    int np = heads * tokens * tokens;
                    float[] probs = new float[np];
                    k.cpu.attentionProbabilities(q, kk, tokens, heads, kvHeads, headDim, variant, probs);
                    ClBuffer gp = k.gpu.allocate(np);
                    k.gpu.attentionProbabilities(k.upload(q), k.upload(kk), tokens, heads, kvHeads, headDim, variant, gp);
                    assertSameBits("attention_probs T=" + tokens + " " + variant, probs, k.download(gp, np), np);

                    int nc = tokens * heads * headDim;
                    float[] ctx = new float[nc];
                    k.cpu.attentionContext(probs, v, tokens, heads, kvHeads, headDim, variant, ctx);
                    ClBuffer gc = k.gpu.allocate(nc);
                    k.gpu.attentionContext(gp, k.upload(v), tokens, heads, kvHeads, headDim, variant, gc);
                    assertSameBits("attention_context T=" + tokens + " " + variant, ctx, k.download(gc, nc), nc);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT16", "BFLOAT16"})
    void elementwiseOpsAndFaultOpsMatchTheCpuOnEdgeValues(DType dtype) {
        {
            Pair k = pair(dtype);
            Random r = new Random(5);
            int n = 1000 + 3;
            float[] a = values(r, n, k.p, true);
            float[] b = values(r, n, k.p, true);
            ClBuffer ga = k.upload(a);
            ClBuffer gb = k.upload(b);
            float[] want = new float[n];
            ClBuffer out = k.gpu.allocate(n);

            k.cpu.add(a, b, n, want);
            k.gpu.add(ga, gb, n, out);
            assertSameBits("add", want, k.download(out, n), n);
            k.cpu.multiply(a, b, n, want);
            k.gpu.multiply(ga, gb, n, out);
            assertSameBits("multiply", want, k.download(out, n), n);
            k.cpu.silu(a, n, want);
            k.gpu.silu(ga, n, out);
            assertSameBits("silu", want, k.download(out, n), n);

            float[] scaled = a.clone();
            k.cpu.scale(scaled, n, 3.7);
            ClBuffer gs = k.upload(a);
            k.gpu.scale(gs, n, 3.7);
            assertSameBits("scale", scaled, k.download(gs, n), n);

            float[] up = a.clone();
            k.cpu.perturbUlp(up, n);
            ClBuffer gu = k.upload(a);
            k.gpu.perturbUlp(gu, n);
            assertSameBits("perturb-ulp", up, k.download(gu, n), n);

            float[] filled = new float[n];
            k.cpu.fill(filled, n, 1.0 / 3);
            k.gpu.fill(out, n, 1.0 / 3);
            assertSameBits("fill", filled, k.download(out, n), n);
            k.gpu.copy(ga, out, n);
            assertSameBits("copy", a, k.download(out, n), n);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT16"})
    void theF16AccumulationFaultChangesTheProduct(DType dtype) {
        {
            Pair k = pair(dtype);
            Random r = new Random(6);
            WeightMatrix w = new WeightMatrix(tensor("w", DType.FLOAT32, r, 8, 300));
            float[] x = values(r, 2 * 300, k.p, false);
            float[] want = new float[16];
            k.cpu.linear(x, 2, w, want);
            OpenClKernels faulty = new OpenClKernels(k.ctx, k.p, false,
                    new GpuFaults(java.util.Map.of("layers.0.q", GpuFaultKind.F16_ACCUMULATION), java.util.List.of(), 1));
            ClBuffer y = faulty.allocate(16);
            faulty.beginStep("layers.0.q", y, 16);
            faulty.linear(k.upload(x), 2, w, y);
            float[] got = k.download(y, 16);
            int differing = 0;
            for (int i = 0; i < 16; i++) {
                differing += Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i]) ? 1 : 0;
            }
            assertEquals(true, differing > 0, "a half accumulator over 300 inputs must change some of 16 outputs");
        }
    }

    /**
     * The statistics reduced on the device against StepAccumulator on the same values, with NaN, both
     * infinities, -0 before +0 and rows that are not multiples of 8: the hash, counts, extrema (a zero
     * extremum with the first zero's sign) and row sums exactly, whole-tensor sums and the finite sketch
     * entries within the rounding bound of two summation orders, (2n + 16) 2^-53 sum|x|, non-finite sketch
     * entries equal.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT16", "BFLOAT16"})
    void deviceStatisticsMatchTheHostAccumulator(DType dtype) {
        Pair k = pair(dtype);
        Random r = new Random(7);
        long[][] shapes = {{3, 13}, {1, 1}, {5, 200}, {2, 3, 7}};
        for (long[] shape : shapes) {
            int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            for (int variant = 0; variant < 4; variant++) {
                float[] v = values(r, n, k.p, variant == 1);
                if (variant == 2) {
                    java.util.Arrays.fill(v, 0f);
                    v[n - 1] = -0f;
                    v[0] = -0f;
                } else if (variant == 3 && n >= 4) {
                    v[1] = Float.POSITIVE_INFINITY;
                    v[3] = Float.POSITIVE_INFINITY;
                }
                dev.layerwise.trace.Step want = dev.layerwise.trace.StepAccumulator.of("s", shape, dtype, v);
                dev.layerwise.trace.Step got;
                try (dev.layerwise.engine.TraceRecorder rec = new dev.layerwise.engine.TraceRecorder(
                        dev.layerwise.trace.SketchSpec.DEFAULT)) {
                    k.gpu.record(rec, "s", shape, k.upload(v), n);
                    got = rec.steps().get(0);
                }
                String what = dtype + " " + java.util.Arrays.toString(shape) + " variant " + variant;
                assertEquals(want.sha256(), got.sha256(), what);
                assertEquals(want.stats().count(), got.stats().count(), what);
                assertEquals(want.stats().nan(), got.stats().nan(), what);
                assertEquals(want.stats().posInf(), got.stats().posInf(), what);
                assertEquals(want.stats().negInf(), got.stats().negInf(), what);
                assertEquals(want.stats().zeros(), got.stats().zeros(), what);
                assertEquals(want.stats().min(), got.stats().min(), what + " min");
                assertEquals(want.stats().max(), got.stats().max(), what + " max");
                assertEquals(java.util.Arrays.toString(want.rowSums()), java.util.Arrays.toString(got.rowSums()), what);
                assertEquals(java.util.Arrays.toString(want.rowSumSq()), java.util.Arrays.toString(got.rowSumSq()),
                        what);
                double bound = (2.0 * n + 16) * Math.ulp(1.0) / 2 * finiteAbsSum(v);
                close(want.stats().sum(), got.stats().sum(), bound, what + " sum");
                close(want.stats().absSum(), got.stats().absSum(), bound, what + " abs_sum");
                for (int j = 0; j < want.sketch().length; j++) {
                    close(want.sketch()[j], got.sketch()[j], 3 * bound, what + " sketch " + j);
                }
            }
        }
    }

    private static double finiteAbsSum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += Float.isFinite(x) ? Math.abs(x) : 0;
        }
        return s;
    }

    /** Equal when not finite (NaN, the same infinity), else within {@code bound}. */
    private static void close(double want, double got, double bound, String what) {
        if (!Double.isFinite(want) || !Double.isFinite(got)) {
            assertEquals(want, got, what);
        } else {
            assertEquals(want, got, bound, what);
        }
    }
}
