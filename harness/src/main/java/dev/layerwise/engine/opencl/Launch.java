package dev.layerwise.engine.opencl;

import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * One kernel launch: sets the arguments in order, enqueues the kernel after the events its buffers need
 * ({@link ClQueue}) and records what it read and wrote, e.g.
 * {@code launch("add").in(a).in(b).out(out).run(n)}. The {@link Site} decides how the launch of a faulted
 * step goes wrong.
 */
final class Launch {
    /** Where a launch happens: a step with a GPU fault, or anywhere else ({@link #PLAIN}). */
    interface Site {
        Site PLAIN = new Site() {
        };

        /** False: the kernel is never enqueued (not-enqueued). */
        default boolean enqueues() {
            return true;
        }

        /** The buffer the kernel really writes instead of {@code out} (stale-pooled-buffer). */
        default ClBuffer redirect(ClBuffer out) {
            return out;
        }

        /** False: the kernel does not wait for the producers of what it reads (missing-wait). */
        default boolean waitsForProducers() {
            return true;
        }

        /** An extra event to wait for (a delayed producer), or null. */
        default cl_event holdBack() {
            return null;
        }

        /** Called with the event of the enqueued kernel. */
        default void launched(cl_event event) {
        }
    }

    private final ClQueue queue;
    private final cl_kernel kernel;
    private final Site site;
    private final List<cl_mem> reads = new ArrayList<>(4);
    private final List<cl_mem> writes = new ArrayList<>(1);
    private int arg;

    Launch(ClQueue queue, cl_kernel kernel, Site site) {
        this.queue = queue;
        this.kernel = kernel;
        this.site = site;
    }

    /** An activation buffer the kernel reads. */
    Launch in(ClBuffer b) {
        reads.add(b.mem);
        return mem(b.mem);
    }

    /** The activation buffer the kernel writes. */
    Launch out(ClBuffer b) {
        ClBuffer target = site.redirect(b);
        writes.add(target.mem);
        return mem(target.mem);
    }

    /** A buffer the kernel reads and writes in place. */
    Launch inOut(ClBuffer b) {
        reads.add(b.mem);
        writes.add(b.mem);
        return mem(b.mem);
    }

    /** A buffer written once before the pass (weights, tables, token ids): nothing to wait for. */
    Launch mem(cl_mem m) {
        CL.clSetKernelArg(kernel, arg++, Sizeof.cl_mem, Pointer.to(m));
        return this;
    }

    Launch i(int v) {
        CL.clSetKernelArg(kernel, arg++, Sizeof.cl_int, Pointer.to(new int[] {v}));
        return this;
    }

    Launch i(boolean v) {
        return i(v ? 1 : 0);
    }

    Launch l(long v) {
        CL.clSetKernelArg(kernel, arg++, Sizeof.cl_long, Pointer.to(new long[] {v}));
        return this;
    }

    Launch f(float v) {
        CL.clSetKernelArg(kernel, arg++, Sizeof.cl_float, Pointer.to(new float[] {v}));
        return this;
    }

    Launch d(double v) {
        CL.clSetKernelArg(kernel, arg++, Sizeof.cl_double, Pointer.to(new double[] {v}));
        return this;
    }

    /** Enqueues over {@code global} work-items (the implementation picks the work-group size). */
    void run(long... global) {
        enqueue(global, null);
    }

    /** Enqueues with work-groups of {@code local}; each global size is rounded up to a multiple of it. */
    void runGroups(long[] global, long[] local) {
        long[] rounded = new long[global.length];
        for (int d = 0; d < global.length; d++) {
            rounded[d] = (global[d] + local[d] - 1) / local[d] * local[d];
        }
        enqueue(rounded, local);
    }

    private void enqueue(long[] global, long[] local) {
        for (long g : global) {
            if (g == 0) {
                return;
            }
        }
        if (!site.enqueues()) {
            return;
        }
        cl_event event = queue.submit(reads, writes, !site.waitsForProducers(), site.holdBack(), (q, c, w, e) ->
                CL.clEnqueueNDRangeKernel(q, kernel, global.length, null, global, local, c, w, e));
        site.launched(event);
    }
}
