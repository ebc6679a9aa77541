package dev.layerwise.engine.kernels;

/**
 * Per-worker scratch arrays (decoded weight rows, lane dumps), grown on first use and then reused for
 * the whole run, so that kernels allocate nothing per call.
 */
public final class Scratch {
    private final float[][] floats;
    private final double[][] doubles;
    private final float[][] accumulators;
    private final double[][] doubleLanes;
    private final float[][] rows;
    private float[] shared = new float[0];

    public Scratch(int workers) {
        floats = new float[workers][0];
        doubles = new double[workers][0];
        doubleLanes = new double[workers][];
        rows = new float[workers][0];
        accumulators = new float[workers][0];
        for (int w = 0; w < workers; w++) {
            doubleLanes[w] = new double[MatMul.D.length()];
        }
    }

    /** One array for the calling thread (the transposed activations of a matrix product). */
    public float[] shared(int length) {
        if (shared.length < length) {
            shared = new float[length];
        }
        return shared;
    }

    public float[] floats(int worker, int length) {
        if (floats[worker].length < length) {
            floats[worker] = new float[length];
        }
        return floats[worker];
    }

    public double[] doubles(int worker, int length) {
        if (doubles[worker].length < length) {
            doubles[worker] = new double[length];
        }
        return doubles[worker];
    }

    /** A second per-worker array (attention: one row of scores or of context sums). */
    float[] row(int worker, int length) {
        if (rows[worker].length < length) {
            rows[worker] = new float[length];
        }
        return rows[worker];
    }

    /** A third per-worker array (the matrix product's stored accumulators). */
    float[] accumulators(int worker, int length) {
        if (accumulators[worker].length < length) {
            accumulators[worker] = new float[length];
        }
        return accumulators[worker];
    }

    double[] doubleLanes(int worker) {
        return doubleLanes[worker];
    }
}
