package dev.layerwise.engine;

import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Trace;

/**
 * An inference engine under test, opened on one model (a runner, in Polygraphy's terms): it runs token ids and
 * returns the trace of every canonical step. The Java engines ({@link JavaEngine}: float32 compute rounded to the
 * model dtype on the CPU or as OpenCL kernels, or the float64 oracle) and a user's engine run as an external command
 * ({@link ExternalCommandEngine}) implement it, and {@link ReferenceRunner} runs any of them like a reference.
 */
public interface Engine extends AutoCloseable {

    /** The producer name its traces carry ({@code layerwise-cpu}). */
    String name();

    /**
     * The vocabulary size of the model it runs, to check token ids before running; 0 when the engine cannot tell
     * (an external command), and then only the ids' sign is checked.
     */
    int vocabSize();

    /**
     * The dtype to compute in so that its trace compares with a reference recorded in {@code referenceDtype}, or
     * null when the engine has no choice or should keep its own (the oracle is always float64; a float64
     * reference leaves the cpu and opencl engines in the checkpoint's dtype).
     */
    DType dtypeLike(DType referenceDtype);

    /** Runs {@code tokens} (checked against {@link #vocabSize()}) and records every step. */
    Trace run(int[] tokens, RunOptions options);

    /** Releases the model; the engine cannot run afterwards. */
    @Override
    void close();
}
