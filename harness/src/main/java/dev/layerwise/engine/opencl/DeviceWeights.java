package dev.layerwise.engine.opencl;

import dev.layerwise.LayerwiseException;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.DType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import org.jocl.cl_mem;

/**
 * Weight tensors on the device in their stored dtype, uploaded once (on first use) per tensor object, so
 * a tied lm_head (the embedding's tensor) is uploaded once. The kernels widen them ({@code weight_at}
 * in common.cl).
 */
final class DeviceWeights {
    /** A tensor on the device and the code {@code weight_at} decodes it with. */
    record DeviceTensor(cl_mem mem, int dtypeCode, DType stored) {
    }

    private final OpenClContext ctx;
    private final Map<Tensor, DeviceTensor> byTensor = new IdentityHashMap<>();

    DeviceWeights(OpenClContext ctx) {
        this.ctx = ctx;
    }

    DeviceTensor of(Tensor t) {
        return byTensor.computeIfAbsent(t, k -> new DeviceTensor(ctx.upload(bytes(t.data()), "weight " + t.name()),
                code(t), t.dtype()));
    }

    private static int code(Tensor t) {
        if (t.dtype() == DType.FLOAT32 || t.dtype() == DType.FLOAT16 || t.dtype() == DType.BFLOAT16) {
            return dtypeCode(t.dtype());
        }
        throw LayerwiseException.badInput(t.name(), "dtype", "the opencl engine reads float32, float16 "
                + "and bfloat16 weights, not " + t.dtype().traceName());
    }

    /** The kernels' code for a float dtype (common.cl's WEIGHT_F32, WEIGHT_F16, WEIGHT_BF16). */
    static int dtypeCode(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 0;
            case FLOAT16 -> 1;
            case BFLOAT16 -> 2;
            default -> throw new IllegalArgumentException("no kernel code for " + dtype);
        };
    }

    /** The segment as a buffer JOCL can read: direct when it is (a mapped file), else copied. */
    private static ByteBuffer bytes(MemorySegment data) {
        if (data.byteSize() > Integer.MAX_VALUE) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "a weight of " + (data.byteSize() >> 20)
                    + " MiB is larger than one upload allows (2 GiB)");
        }
        if (data.isNative()) {
            return data.asByteBuffer();
        }
        ByteBuffer direct = ByteBuffer.allocateDirect((int) data.byteSize());
        direct.put(data.asByteBuffer());
        return direct.flip();
    }
}
