package dev.layerwise.engine.opencl;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.LlamaForward;
import dev.layerwise.engine.LlamaWeights;
import dev.layerwise.engine.StepRecorder;
import dev.layerwise.engine.fault.FaultPlan;
import dev.layerwise.engine.kernels.Precision;
import dev.layerwise.numeric.DType;
import org.jocl.CLException;

/** Runs {@link LlamaForward} with {@link OpenClKernels} on one device: open, build, run, release. */
public final class OpenClForward {
    private OpenClForward() {
    }

    public static LlamaForward.Result run(LlamaWeights weights, int[] tokens, DType dtype, OpenClOptions options,
            GpuFaults gpuFaults, FaultPlan plan, StepRecorder recorder, LlamaForward.Progress progress, int topK) {
        OpenClDevice device = OpenClDevices.select(options.device());
        try (OpenClContext ctx = OpenClContext.open(device, OpenClKernels.buildOptions(dtype))) {
            OpenClKernels kernels = new OpenClKernels(ctx, Precision.of(dtype), options.poison(), gpuFaults);
            return new LlamaForward<>(weights, kernels, recorder, plan, progress).run(tokens, topK);
        } catch (CLException e) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "OpenCL device " + device.name()
                    + " failed during the forward pass: " + e.getMessage(), e);
        }
    }
}
