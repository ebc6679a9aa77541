package dev.layerwise.engine;

import dev.layerwise.LayerwiseException;

/**
 * The activation buffers of one forward pass, one per kind of step, allocated once per run and reused
 * by every layer (so a skipped op leaves the previous layer's values, as a real engine would).
 */
final class ModelForwardBuffers<B> {
    final B embed;
    final B attnNorm;
    final B q;
    final B k;
    final B v;
    final B qRope;
    final B kRope;
    final B probs;
    final B ctx;
    final B attnOut;
    final B residMid;
    final B ffnNorm;
    final B gate;
    final B up;
    final B siluGate;
    final B gated;
    final B ffnOut;
    final B out;
    final B finalNorm;
    final B logits;

    ModelForwardBuffers(Kernels<B> k, ModelShape s, int tokens) {
        checkMemory(s, tokens, k.stepDtype().byteSize() == 8 ? 8 : 4);
        int th = tokens * s.hidden();
        int ti = tokens * s.intermediate();
        embed = k.allocate(th);
        attnNorm = k.allocate(th);
        q = k.allocate(tokens * s.qWidth());
        this.k = k.allocate(tokens * s.kvWidth());
        v = k.allocate(tokens * s.kvWidth());
        qRope = k.allocate(tokens * s.qWidth());
        kRope = k.allocate(tokens * s.kvWidth());
        probs = k.allocate(s.heads() * tokens * tokens);
        ctx = k.allocate(tokens * s.qWidth());
        attnOut = k.allocate(th);
        residMid = k.allocate(th);
        ffnNorm = k.allocate(th);
        gate = k.allocate(ti);
        up = k.allocate(ti);
        siluGate = k.allocate(ti);
        gated = k.allocate(ti);
        ffnOut = k.allocate(th);
        out = k.allocate(th);
        finalNorm = k.allocate(th);
        logits = k.allocate(Math.multiplyExact(tokens, s.vocab()));
    }

    /** Fails with one line (exit 2) when the buffers cannot fit the heap, before allocating anything. */
    private static void checkMemory(ModelShape s, int tokens, int bytesPerValue) {
        long t = tokens;
        long values = t * s.hidden() * 9 + t * s.qWidth() * 3 + t * s.kvWidth() * 3
                + (long) s.heads() * t * t + t * s.intermediate() * 4 + t * s.vocab();
        long bytes = values * bytesPerValue;
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > Integer.MAX_VALUE * (long) bytesPerValue || t * s.vocab() > Integer.MAX_VALUE
                || bytes > available) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "not enough memory: " + tokens
                    + " tokens need " + (bytes >> 20) + " MiB of activations, " + (available >> 20)
                    + " MiB of heap available (raise it with LAYERWISE_JAVA_OPTS=-Xmx...)");
        }
    }

    static int elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }
}
