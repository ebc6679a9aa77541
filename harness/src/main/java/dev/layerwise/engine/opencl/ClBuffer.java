package dev.layerwise.engine.opencl;

import org.jocl.cl_mem;

/** A float32 activation buffer on the device, {@code length} elements. */
public final class ClBuffer {
    final cl_mem mem;
    final int length;

    ClBuffer(cl_mem mem, int length) {
        this.mem = mem;
        this.length = length;
    }

    public int length() {
        return length;
    }

    long bytes() {
        return 4L * length;
    }
}
