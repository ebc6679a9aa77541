package dev.layerwise.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.layerwise.engine.kernels.Activations;
import dev.layerwise.engine.kernels.Precision;
import dev.layerwise.engine.kernels.RmsNorm;
import dev.layerwise.engine.kernels.Rope;
import dev.layerwise.engine.kernels.RopeTable;
import dev.layerwise.engine.kernels.RopeVariant;
import dev.layerwise.engine.kernels.WorkerPool;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The elementwise ops and norms run as tasks over output ranges: with several threads and inputs spanning
 * many tasks, every output is bit-identical to the single-pass kernel.
 */
class Float32ArithmeticThreadsTest {
    private static final int ROWS = 45;
    private static final int COLS = 2048;

    private static float[] random(long seed, int n, Precision p) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = p.round((float) (r.nextGaussian() * 3));
        }
        return v;
    }

    @ParameterizedTest
    @CsvSource({"BFLOAT16, 1", "FLOAT16, 2", "FLOAT32, 3", "BFLOAT16, 4"})
    void tiledOpsEqualTheSinglePassKernels(DType dtype, int threads) {
        Precision p = Precision.of(dtype);
        int n = ROWS * COLS;
        float[] a = random(1, n, p);
        float[] b = random(2, n, p);
        float[] normWeight = random(3, COLS, p);
        MemorySegment seg = MemorySegment.ofArray(new byte[COLS * 4]);
        for (int i = 0; i < COLS; i++) {
            seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i * 4L, normWeight[i]);
        }
        Tensor weight = new Tensor("norm", DType.FLOAT32, new long[] {COLS}, seg);
        int heads = 16;
        int headDim = COLS / heads;
        RopeTable table = RopeTable.forFloat(ROWS, headDim, 10000, p);
        try (WorkerPool pool = new WorkerPool(threads)) {
            Float32Arithmetic kernels = new Float32Arithmetic(p, pool);

            float[] expected = new float[n];
            float[] actual = new float[n];
            Activations.silu(a, n, expected, p);
            kernels.silu(a, n, actual);
            assertArrayEquals(expected, actual, "silu");

            Activations.add(a, b, n, expected, p);
            kernels.add(a, b, n, actual);
            assertArrayEquals(expected, actual, "add");

            Activations.multiply(a, b, n, expected, p);
            kernels.multiply(a, b, n, actual);
            assertArrayEquals(expected, actual, "multiply");

            float[] castWeight = new float[COLS];
            for (int i = 0; i < COLS; i++) {
                castWeight[i] = p.round(normWeight[i]);
            }
            RmsNorm.apply(a, ROWS, COLS, castWeight, 1e-5, expected, p);
            kernels.rmsNorm(a, ROWS, COLS, weight, 1e-5, actual);
            assertArrayEquals(expected, actual, "rms_norm");

            for (RopeVariant variant : new RopeVariant[] {RopeVariant.STANDARD, new RopeVariant(true, 0)}) {
                Rope.apply(a, 0, ROWS, heads, headDim, table, variant, expected, p);
                kernels.rope(a, ROWS, heads, headDim, table, variant, actual);
                assertArrayEquals(expected, actual, "rope " + variant);
            }
        }
    }
}
