package dev.layerwise.engine.opencl;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.Arithmetic;
import dev.layerwise.engine.LlamaForward;
import dev.layerwise.engine.LlamaWeights;
import dev.layerwise.engine.StepRecorder;
import dev.layerwise.engine.fault.FaultPlan;
import dev.layerwise.engine.kernels.Precision;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.SketchSpec;
import org.jocl.CLException;

/**
 * Runs {@link LlamaForward} with {@link OpenClKernels} on one device. The context, the built program and
 * the uploaded weights are kept for the next run of the same weights, device and dtype (rerun, bench):
 * weights are uploaded once; each run allocates and releases its own activation buffers.
 */
public final class OpenClForward {
    private static Session session;

    private OpenClForward() {
    }

    /** A device context with one model's weights on it. */
    private record Session(OpenClDevice device, DType dtype, LlamaWeights model, OpenClContext ctx,
            DeviceWeights weights) {
        boolean serves(OpenClDevice d, DType t, LlamaWeights m) {
            return device.address().equals(d.address()) && dtype == t && model == m;
        }
    }

    private static synchronized Session session(OpenClDevice device, DType dtype, LlamaWeights model) {
        if (session != null && session.serves(device, dtype, model)) {
            return session;
        }
        if (session != null) {
            session.ctx().close();
            session = null;
        }
        OpenClContext ctx = OpenClContext.open(device, OpenClKernels.buildOptions(dtype));
        session = new Session(device, dtype, model, ctx, new DeviceWeights(ctx));
        return session;
    }

    /** Releases the kept context (and the weights on the device). */
    public static synchronized void closeSession() {
        if (session != null) {
            session.ctx().close();
            session = null;
        }
    }

    public static LlamaForward.Result run(LlamaWeights weights, int[] tokens, DType dtype, OpenClOptions options,
            SketchSpec sketch, GpuFaults gpuFaults, FaultPlan plan, StepRecorder recorder,
            LlamaForward.Progress progress, int topK) {
        OpenClDevice device = OpenClDevices.select(options.device());
        synchronized (OpenClForward.class) {
            OpenClKernels kernels = null;
            try {
                Session s = session(device, dtype, weights);
                kernels = new OpenClKernels(s.ctx(), s.weights(), Precision.of(dtype), options.poison(), gpuFaults,
                        sketch, options.hash());
                Arithmetic<ClBuffer> ops = options.replay() == null ? kernels
                        : new ReplayingKernels(kernels, options.replay());
                return new LlamaForward<>(weights, ops, recorder, plan, progress).run(tokens, topK);
            } catch (CLException e) {
                closeSession();
                throw new LayerwiseException(LayerwiseException.BAD_INPUT, "OpenCL device " + device.name()
                        + " failed during the forward pass: " + e.getMessage(), e);
            } finally {
                if (kernels != null && session != null) {
                    kernels.releaseBuffers();
                }
            }
        }
    }
}
