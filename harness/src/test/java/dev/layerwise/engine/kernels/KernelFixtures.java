package dev.layerwise.engine.kernels;

import dev.layerwise.engine.InMemoryCheckpoint;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.DType;
import java.util.Random;

/** Random inputs for kernel tests. */
final class KernelFixtures {
    private KernelFixtures() {
    }

    static Tensor tensor(String name, DType dtype, float[] v, long... shape) {
        return InMemoryCheckpoint.tensor(name, dtype, v, shape);
    }

    /** Uniform values in [-scale, scale), rounded to {@code dtype}. */
    static float[] random(long seed, int n, float scale, DType dtype) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = dtype.round((r.nextFloat() * 2 - 1) * scale);
        }
        return v;
    }

    static double[] widen(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    static boolean representable(float v, DType dtype) {
        return Float.isNaN(v) || dtype.round(v) == v;
    }
}
