package dev.layerwise.engine.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** One OpenCL device: its platform, its handle and what the engine needs to know about it. */
public record OpenClDevice(int platformIndex, int deviceIndex, cl_platform_id platform, cl_device_id id,
        String platformName, String name, String type, long globalMemory, long maxAllocation, boolean fp64) {

    /** "P:D" as {@code --device} accepts it. */
    public String address() {
        return platformIndex + ":" + deviceIndex;
    }

    /** One line for {@code --device list}. */
    public String describe() {
        return address() + "  " + name + " (" + type + ", " + platformName + ", " + (globalMemory >> 20)
                + " MiB, largest buffer " + (maxAllocation >> 20) + " MiB" + (fp64 ? "" : ", no cl_khr_fp64") + ")";
    }
}
