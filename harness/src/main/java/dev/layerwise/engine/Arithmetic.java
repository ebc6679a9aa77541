package dev.layerwise.engine;

import dev.layerwise.engine.kernels.AttentionVariant;
import dev.layerwise.engine.kernels.LinearVariant;
import dev.layerwise.engine.kernels.RopeTable;
import dev.layerwise.engine.kernels.RopeVariant;
import dev.layerwise.engine.kernels.WeightMatrix;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.TopLogit;
import java.util.List;

/**
 * The numeric operations of a Llama forward pass over activation buffers of type {@code B}: float[]
 * with float32 compute rounded to the model dtype ({@link Float32Arithmetic}), or double[] in float64
 * ({@link Float64Arithmetic}, the oracle). {@link LlamaForward} is written once against this interface.
 */
public interface Arithmetic<B> {

    /** The dtype of every recorded step. */
    DType stepDtype();

    B allocate(int length);

    /**
     * Called before the op of step {@code name} runs (or is skipped), with the buffer it writes: an
     * engine can poison the buffer or look up faults of its own for the step. Nothing by default.
     */
    default void beginStep(String name, B out, int n) {
    }

    void embed(WeightMatrix table, int[] tokens, B out);

    default void rmsNorm(B x, int rows, int cols, Tensor weight, double eps, B out) {
        rmsNorm(x, rows, cols, cols, weight, eps, out);
    }

    /** RMSNorm whose mean of squares divides by {@code meanOver} (a planted fault unless it is {@code cols}). */
    void rmsNorm(B x, int rows, int cols, int meanOver, Tensor weight, double eps, B out);

    default void linear(B x, int rows, WeightMatrix weight, B out) {
        linear(x, rows, weight, LinearVariant.STANDARD, out);
    }

    /** A projection computed as {@code variant} says (a planted fault unless it is the standard one). */
    void linear(B x, int rows, WeightMatrix weight, LinearVariant variant, B out);

    RopeTable ropeTable(int positions, int headDim, double theta);

    void rope(B x, int rows, int heads, int headDim, RopeTable table, RopeVariant variant, B out);

    void attentionProbabilities(B q, B k, int tokens, int heads, int kvHeads, int headDim, AttentionVariant variant,
            B probs);

    void attentionContext(B probs, B v, int tokens, int heads, int kvHeads, int headDim, AttentionVariant variant,
            B ctx);

    void add(B a, B b, int n, B out);

    void silu(B x, int n, B out);

    void multiply(B a, B b, int n, B out);

    // Fault injection: each result is representable in the step dtype.

    void fill(B buffer, int n, double value);

    default void scale(B buffer, int n, double factor) {
        scale(buffer, 0, n, factor);
    }

    /** Multiplies {@code buffer[from .. to)} (a fault on the last token's row when from > 0). */
    void scale(B buffer, int from, int to, double factor);

    void copy(B from, B to, int n);

    /** Moves every element one unit in the last place of the step dtype toward +infinity. */
    default void perturbUlp(B buffer, int n) {
        perturbUlp(buffer, 0, n, 1);
    }

    /** Moves {@code buffer[from .. to)} {@code ulps} units in the last place toward +infinity. */
    void perturbUlp(B buffer, int from, int to, int ulps);

    void record(StepRecorder recorder, String name, long[] shape, B buffer, int n);

    /** The k largest of {@code buffer[offset .. offset+length)}, descending, ties to the lower index. */
    List<TopLogit> topK(B buffer, int offset, int length, int k);
}
