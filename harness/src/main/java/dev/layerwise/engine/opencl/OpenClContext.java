package dev.layerwise.engine.opencl;

import static org.jocl.CL.CL_MEM_COPY_HOST_PTR;
import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_CONTEXT_PLATFORM;

import dev.layerwise.LayerwiseException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * A context, its queues (in-order; a main and a side queue on demand) and the built kernel program on one device. Everything that can fail
 * on the device (build, allocation) fails as one line with exit status 2, never as a JOCL stack trace.
 */
public final class OpenClContext implements AutoCloseable {
    private final OpenClDevice device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final ClQueue inOrder;
    private ClQueue withSide;
    private List<cl_command_queue> sideQueues = List.of();
    private final cl_program program;
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    private final List<cl_mem> allocated = new ArrayList<>();

    private OpenClContext(OpenClDevice device, String buildOptions) {
        this.device = device;
        if (!device.fp64()) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "OpenCL device " + device.name()
                    + " has no cl_khr_fp64 (the kernels compute RMSNorm sums and exp in float64, as the CPU engine)");
        }
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, device.platform());
        this.context = call("create a context", () -> CL.clCreateContext(props, 1, new cl_device_id[] {device.id()},
                null, null, null));
        this.queue = call("create a command queue", () -> CL.clCreateCommandQueue(context, device.id(), 0, null));
        this.inOrder = new ClQueue(queue, null);
        this.program = build(buildOptions);
    }

    /** Opens {@code device} and builds {@link KernelSources#program()} with {@code buildOptions}. */
    public static OpenClContext open(OpenClDevice device, String buildOptions) {
        CL.setExceptionsEnabled(true);
        return new OpenClContext(device, buildOptions);
    }

    public OpenClDevice device() {
        return device;
    }

    private cl_program build(String options) {
        String source = KernelSources.program();
        cl_program p = call("create the program", () -> CL.clCreateProgramWithSource(context, 1,
                new String[] {source}, null, null));
        try {
            CL.clBuildProgram(p, 0, null, options, null, null);
        } catch (CLException e) {
            String log = buildLog(p).strip().replace('\n', ' ').replaceAll("\\s+", " ");
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "kernels/*.cl failed to build on "
                    + device.name() + " (" + e.getMessage() + "): " + (log.isEmpty() ? "no build log" : log));
        }
        return p;
    }

    private String buildLog(cl_program p) {
        try {
            long[] size = new long[1];
            CL.clGetProgramBuildInfo(p, device.id(), CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] bytes = new byte[(int) size[0]];
            CL.clGetProgramBuildInfo(p, device.id(), CL_PROGRAM_BUILD_LOG, bytes.length, Pointer.to(bytes), null);
            return new String(bytes, StandardCharsets.UTF_8).replace("\0", "");
        } catch (CLException e) {
            return "";
        }
    }

    cl_kernel kernel(String name) {
        return kernels.computeIfAbsent(name, n -> call("create kernel " + n, () -> CL.clCreateKernel(program, n, null)));
    }

    /** A read-write buffer of {@code length} floats (at least one). */
    ClBuffer allocate(int length) {
        long bytes = 4L * Math.max(1, length);
        return new ClBuffer(allocateBytes(bytes, CL_MEM_READ_WRITE, null, "an activation buffer"), length);
    }

    /** A read-only buffer holding {@code data} (a weight in its stored dtype, a table). */
    cl_mem upload(ByteBuffer data, String what) {
        return allocateBytes(data.remaining(), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, Pointer.to(data), what);
    }

    cl_mem upload(float[] data, String what) {
        return allocateBytes(4L * data.length, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, Pointer.to(data), what);
    }

    cl_mem upload(long[] data, String what) {
        return allocateBytes(8L * data.length, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, Pointer.to(data), what);
    }

    cl_mem upload(int[] data, String what) {
        return allocateBytes(4L * Math.max(1, data.length), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                Pointer.to(data.length == 0 ? new int[1] : data), what);
    }

    private cl_mem allocateBytes(long bytes, long flags, Pointer host, String what) {
        if (bytes > device.maxAllocation()) {
            throw tooBig(bytes, what, "the largest buffer it allows is " + (device.maxAllocation() >> 20) + " MiB");
        }
        try {
            cl_mem m = CL.clCreateBuffer(context, flags, bytes, host, null);
            allocated.add(m);
            return m;
        } catch (CLException e) {
            throw tooBig(bytes, what, e.getMessage());
        }
    }

    private LayerwiseException tooBig(long bytes, String what, String why) {
        return new LayerwiseException(LayerwiseException.BAD_INPUT, what + " of " + (bytes >> 20)
                + " MiB does not fit OpenCL device " + device.name() + " (" + why + ")");
    }

    void release(cl_mem m) {
        if (allocated.remove(m)) {
            CL.clReleaseMemObject(m);
        }
    }

    /** The in-order queue every run uses unless a fault needs a side queue. */
    ClQueue inOrderQueue() {
        return inOrder;
    }

    /**
     * Two more in-order queues on the same context (created on first use), a main one and a side one for held-back
     * commands (the missing-wait fault, {@link ClQueue}).
     */
    ClQueue queueWithSide() {
        if (withSide == null) {
            cl_command_queue main = call("create a command queue", () -> CL.clCreateCommandQueue(context, device.id(),
                    0, null));
            cl_command_queue side = call("create a command queue", () -> CL.clCreateCommandQueue(context, device.id(),
                    0, null));
            withSide = new ClQueue(main, side);
            sideQueues = List.of(main, side);
        }
        return withSide;
    }

    cl_context context() {
        return context;
    }

    @Override
    public void close() {
        for (ClQueue q : withSide == null ? List.of(inOrder) : List.of(inOrder, withSide)) {
            try {
                q.finishAndRelease();
            } catch (CLException e) {
                // closing after a failure: release what we can
            }
        }
        for (cl_mem m : allocated) {
            CL.clReleaseMemObject(m);
        }
        allocated.clear();
        for (cl_kernel k : kernels.values()) {
            CL.clReleaseKernel(k);
        }
        CL.clReleaseProgram(program);
        for (cl_command_queue q : sideQueues) {
            CL.clReleaseCommandQueue(q);
        }
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }

    private <T> T call(String what, java.util.function.Supplier<T> op) {
        try {
            return op.get();
        } catch (CLException e) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "OpenCL device " + device.name()
                    + ": cannot " + what + " (" + e.getMessage() + ")");
        }
    }
}
