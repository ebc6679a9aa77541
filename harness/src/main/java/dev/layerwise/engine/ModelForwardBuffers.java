package dev.layerwise.engine;

import dev.layerwise.LayerwiseException;
import dev.layerwise.numeric.Shapes;
import dev.layerwise.trace.ModelDims;
import dev.layerwise.trace.StepKind;

/**
 * The activation buffers of one forward pass, one per kind of step, allocated once per run and reused by every
 * layer (so a skipped op leaves the previous layer's values, as a real engine would). Each buffer is row-major
 * with the shape its step has in a trace ({@link ModelDims#shapeOf}), written next to it: T tokens, H hidden,
 * nH query heads, nKV key/value heads, D head dim, I intermediate, V vocabulary.
 */
final class ModelForwardBuffers<B> {
    final B embed;     // [T, H]
    final B attnNorm;  // [T, H]
    final B q;         // [T, nH * D]
    final B k;         // [T, nKV * D]
    final B v;         // [T, nKV * D]
    final B qRope;     // [T, nH * D]
    final B kRope;     // [T, nKV * D]
    final B probs;     // [nH, T, T]
    final B ctx;       // [T, nH * D]
    final B attnOut;   // [T, H]
    final B residMid;  // [T, H]
    final B ffnNorm;   // [T, H]
    final B gate;      // [T, I]
    final B up;        // [T, I]
    final B siluGate;  // [T, I]
    final B gated;     // [T, I]
    final B ffnOut;    // [T, H]
    final B out;       // [T, H]
    final B finalNorm; // [T, H]
    final B logits;    // [T, V]

    private final Arithmetic<B> kernels;
    private final ModelDims dims;
    private final int tokens;

    ModelForwardBuffers(Arithmetic<B> k, ModelDims s, int tokens) {
        this.kernels = k;
        this.dims = s;
        this.tokens = tokens;
        checkMemory(s, tokens, k.stepDtype().byteSize() == 8 ? 8 : 4);
        embed = buffer(StepKind.EMBED);
        attnNorm = buffer(StepKind.ATTN_NORM);
        q = buffer(StepKind.Q);
        this.k = buffer(StepKind.K);
        v = buffer(StepKind.V);
        qRope = buffer(StepKind.Q_ROPE);
        kRope = buffer(StepKind.K_ROPE);
        probs = buffer(StepKind.ATTN_PROBS);
        ctx = buffer(StepKind.ATTN_CTX);
        attnOut = buffer(StepKind.ATTN_OUT);
        residMid = buffer(StepKind.RESID_MID);
        ffnNorm = buffer(StepKind.FFN_NORM);
        gate = buffer(StepKind.GATE);
        up = buffer(StepKind.UP);
        siluGate = buffer(StepKind.SILU_GATE);
        gated = buffer(StepKind.GATED);
        ffnOut = buffer(StepKind.FFN_OUT);
        out = buffer(StepKind.OUT);
        finalNorm = buffer(StepKind.FINAL_NORM);
        logits = buffer(StepKind.LOGITS);
    }

    private B buffer(StepKind kind) {
        return kernels.allocate(Shapes.intElementCount(dims.shapeOf(kind, tokens)));
    }

    /**
     * Fails with one line (exit 2) when the buffers cannot fit the heap, before allocating anything. Counts one
     * buffer per step kind plus one [T, H] buffer of headroom.
     */
    static void checkMemory(ModelDims s, int tokens, int bytesPerValue) {
        long values = Shapes.elementCount(s.shapeOf(StepKind.EMBED, tokens));
        long largest = 0;
        for (StepKind kind : StepKind.values()) {
            long n = Shapes.elementCount(s.shapeOf(kind, tokens));
            values += n;
            largest = Math.max(largest, n);
        }
        long bytes = values * bytesPerValue;
        long available = availableHeap();
        if (bytes > available) {
            // what looks used may be garbage of an earlier forward pass (bench, rerun): collect before refusing
            System.gc();
            available = availableHeap();
        }
        if (bytes > Integer.MAX_VALUE * (long) bytesPerValue || largest > Integer.MAX_VALUE || bytes > available) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "not enough memory: " + tokens
                    + " tokens need " + (bytes >> 20) + " MiB of activations, " + (available >> 20)
                    + " MiB of heap available (raise it with LAYERWISE_JAVA_OPTS=-Xmx...)");
        }
    }

    private static long availableHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }
}
