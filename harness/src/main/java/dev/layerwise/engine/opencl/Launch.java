package dev.layerwise.engine.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/** Sets a kernel's arguments in order and enqueues it: {@code launch("add").buf(a).buf(b).buf(out).run(n)}. */
final class Launch {
    private final cl_command_queue queue;
    private final cl_kernel kernel;
    private int arg;

    Launch(cl_command_queue queue, cl_kernel kernel) {
        this.queue = queue;
        this.kernel = kernel;
    }

    Launch buf(ClBuffer b) {
        return mem(b.mem);
    }

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
        for (long g : global) {
            if (g == 0) {
                return;
            }
        }
        CL.clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, null, 0, null, null);
    }

    /** Enqueues with work-groups of {@code local}; each global size is rounded up to a multiple of it. */
    void runGroups(long[] global, long[] local) {
        long[] rounded = new long[global.length];
        for (int d = 0; d < global.length; d++) {
            if (global[d] == 0) {
                return;
            }
            rounded[d] = (global[d] + local[d] - 1) / local[d] * local[d];
        }
        CL.clEnqueueNDRangeKernel(queue, kernel, global.length, null, rounded, local, 0, null, null);
    }
}
