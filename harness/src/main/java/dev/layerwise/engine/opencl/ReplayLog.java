package dev.layerwise.engine.opencl;

import dev.layerwise.engine.Float32Arithmetic;
import dev.layerwise.engine.Float64Arithmetic;
import dev.layerwise.engine.kernels.Precision;
import dev.layerwise.engine.kernels.WorkerPool;
import dev.layerwise.numeric.DType;
import dev.layerwise.numeric.Shapes;
import dev.layerwise.trace.Producer;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepAccumulator;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What {@code layerwise replay} needs from one opencl run: for every step, the inputs its kernel read
 * on the device and the same op on the host. {@link #replay} runs each op on exactly those inputs with
 * the cpu engine's arithmetic and with the float64 oracle, so that comparing the device's step with
 * them measures the kernel's own (local) error, apart from the error its inputs inherited.
 */
public final class ReplayLog {
    /** The op on float32 host buffers (the cpu engine's arithmetic). */
    @FunctionalInterface
    interface CpuOp {
        void run(Float32Arithmetic a, float[][] inputs, float[] out);
    }

    /** The op on float64 host buffers (the oracle). */
    @FunctionalInterface
    interface OracleOp {
        void run(Float64Arithmetic a, double[][] inputs, double[] out);
    }

    record HostOp(CpuOp cpu, OracleOp oracle) {
    }

    private record Entry(String step, List<Supplier<float[]>> inputs, HostOp op) {
    }

    /** The steps of the device run recomputed on the host from the device's inputs. */
    public record LocalTraces(Trace cpuOp, Trace oracleOp) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, long[]> shapes = new HashMap<>();

    void add(String step, List<Supplier<float[]>> inputs, HostOp op) {
        entries.add(new Entry(step, inputs, op));
    }

    void shape(String step, long[] shape) {
        shapes.put(step, shape.clone());
    }

    /**
     * Runs every logged op on the host, on its device inputs (waiting for their read-back), and records
     * the results like {@code device}'s steps; a step whose op was never called (a {@code skip} fault)
     * has no local counterpart.
     */
    public LocalTraces replay(Trace device, int threads) {
        DType dtype = device.dtype();
        List<Step> cpuSteps = new ArrayList<>();
        List<Step> oracleSteps = new ArrayList<>();
        StepAccumulator acc = new StepAccumulator(device.sketch());
        try (WorkerPool pool = new WorkerPool(threads)) {
            Float32Arithmetic cpu = new Float32Arithmetic(Precision.of(dtype), pool);
            Float64Arithmetic oracle = new Float64Arithmetic(pool);
            for (Entry e : entries) {
                long[] shape = shapes.get(e.step());
                int n = Shapes.intElementCount(shape);
                float[][] in = new float[e.inputs().size()][];
                double[][] exactIn = new double[in.length][];
                for (int i = 0; i < in.length; i++) {
                    in[i] = e.inputs().get(i).get();
                    exactIn[i] = new double[in[i].length];
                    for (int p = 0; p < in[i].length; p++) {
                        exactIn[i][p] = in[i][p];
                    }
                }
                float[] out = new float[n];
                e.op().cpu().run(cpu, in, out);
                cpuSteps.add(acc.begin(e.step(), shape, dtype).add(out, 0, n).finish());
                double[] exact = new double[n];
                e.op().oracle().run(oracle, exactIn, exact);
                oracleSteps.add(acc.begin(e.step(), shape, DType.FLOAT64).add(exact, 0, n).finish());
            }
        }
        return new LocalTraces(local(device, "replay-cpu-op", dtype, cpuSteps),
                local(device, "replay-oracle-op", DType.FLOAT64, oracleSteps));
    }

    private static Trace local(Trace device, String name, DType dtype, List<Step> steps) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("inputs", "read back from " + device.producer().device() + " for every op");
        Producer p = new Producer(name, device.producer().version(), "cpu", device.producer().attnImplementation(),
                extra);
        return new Trace(p, device.model(), dtype, device.input(), device.sketch(), steps, List.of(), null);
    }
}
