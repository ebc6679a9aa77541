package dev.layerwise.engine.opencl;

import static org.jocl.CL.CL_DEVICE_EXTENSIONS;
import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_PLATFORM_NAME;

import dev.layerwise.LayerwiseException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** The OpenCL platforms and devices of this machine, and the choice of one by {@code --device}. */
public final class OpenClDevices {
    private OpenClDevices() {
    }

    /** Every device of every platform; an empty list when there is no OpenCL platform (or no loader). */
    public static List<OpenClDevice> all() {
        try {
            CL.setExceptionsEnabled(true);
            int[] count = new int[1];
            CL.clGetPlatformIDs(0, null, count);
            cl_platform_id[] platforms = new cl_platform_id[count[0]];
            CL.clGetPlatformIDs(platforms.length, platforms, null);
            List<OpenClDevice> out = new ArrayList<>();
            for (int p = 0; p < platforms.length; p++) {
                int[] n = new int[1];
                try {
                    CL.clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, null, n);
                } catch (CLException e) {
                    continue; // a platform without devices
                }
                cl_device_id[] ids = new cl_device_id[n[0]];
                CL.clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, ids.length, ids, null);
                String platformName = platformString(platforms[p], CL_PLATFORM_NAME);
                for (int d = 0; d < ids.length; d++) {
                    out.add(new OpenClDevice(p, d, platforms[p], ids[d], platformName,
                            deviceString(ids[d], CL_DEVICE_NAME), type(deviceLong(ids[d], CL_DEVICE_TYPE)),
                            deviceLong(ids[d], CL_DEVICE_GLOBAL_MEM_SIZE), deviceLong(ids[d], CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                            deviceString(ids[d], CL_DEVICE_EXTENSIONS).contains("cl_khr_fp64")));
                }
            }
            return out;
        } catch (CLException e) {
            return List.of(); // CL_PLATFORM_NOT_FOUND_KHR: the ICD loader found no platform
        } catch (LinkageError e) {
            return List.of(); // no libOpenCL.so, or JOCL's native library cannot load
        }
    }

    /**
     * The device {@code spec} names: null (the first GPU, else the first device), {@code P:D} (platform
     * and device index), {@code N} (the N-th device overall) or a case-insensitive part of the device's
     * name. Exit 2 with one line when there is no OpenCL device or none matches.
     */
    public static OpenClDevice select(String spec) {
        List<OpenClDevice> devices = all();
        if (devices.isEmpty()) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "no OpenCL platform or device found"
                    + " (install an OpenCL driver, e.g. apt-get install pocl-opencl-icd ocl-icd-opencl-dev, or point"
                    + " OCL_ICD_VENDORS at a folder of .icd files)");
        }
        if (spec == null || spec.isBlank()) {
            return devices.stream().filter(d -> d.type().equals("GPU")).findFirst().orElse(devices.get(0));
        }
        String s = spec.trim();
        for (OpenClDevice d : devices) {
            if (d.address().equals(s)) {
                return d;
            }
        }
        if (s.matches("\\d+")) {
            int i = Integer.parseInt(s);
            if (i < devices.size()) {
                return devices.get(i);
            }
        } else {
            String lower = s.toLowerCase(Locale.ROOT);
            for (OpenClDevice d : devices) {
                if (d.name().toLowerCase(Locale.ROOT).contains(lower)) {
                    return d;
                }
            }
        }
        throw LayerwiseException.badInput("--device", null, "no OpenCL device '" + s + "'; there are: "
                + String.join("; ", devices.stream().map(OpenClDevice::describe).toList()));
    }

    private static String type(long bits) {
        if ((bits & CL_DEVICE_TYPE_GPU) != 0) {
            return "GPU";
        }
        if ((bits & CL_DEVICE_TYPE_CPU) != 0) {
            return "CPU";
        }
        if ((bits & CL_DEVICE_TYPE_ACCELERATOR) != 0) {
            return "accelerator";
        }
        return "other";
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, param, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        CL.clGetPlatformInfo(p, param, bytes.length, Pointer.to(bytes), null);
        return cString(bytes);
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, param, bytes.length, Pointer.to(bytes), null);
        return cString(bytes);
    }

    private static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] bytes) {
        int n = bytes.length;
        while (n > 0 && bytes[n - 1] == 0) {
            n--;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8).trim();
    }
}
