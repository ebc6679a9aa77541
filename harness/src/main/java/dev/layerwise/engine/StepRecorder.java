package dev.layerwise.engine;

import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Step;
import java.util.concurrent.Callable;

/**
 * Observes every canonical step of a forward pass, in execution order, with the values that flow onward
 * (after any injected fault). The arrays are the engine's live buffers: read them during the call, do
 * not keep them.
 */
public interface StepRecorder {

    /** Records nothing (to time the forward pass alone). */
    StepRecorder NONE = new StepRecorder() {
        @Override
        public void record(String name, long[] shape, DType dtype, float[] values, int length) {
        }

        @Override
        public void record(String name, long[] shape, DType dtype, double[] values, int length) {
        }

        @Override
        public void record(Callable<Step> summarized) {
        }
    };

    /** A float32-compute step: {@code values[0 .. length)} already rounded to {@code dtype}. */
    void record(String name, long[] shape, DType dtype, float[] values, int length);

    /** A float64 (oracle) step. */
    void record(String name, long[] shape, DType dtype, double[] values, int length);

    /**
     * True when this recorder needs every step's values (a test capturing tensors): an engine that summarizes
     * steps elsewhere (on a device) then reads the values back and calls the value methods instead.
     */
    default boolean needsValues() {
        return false;
    }

    /**
     * A step summarized elsewhere (the opencl engine reduces statistics on the device): {@code summarized}
     * waits until the summary is complete and returns it. Steps keep the order of the calls. A recorder
     * that needs the values themselves refuses it.
     */
    default void record(Callable<Step> summarized) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " needs the values of each step");
    }
}
