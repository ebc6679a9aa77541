package dev.layerwise.compare;

import dev.layerwise.compare.ToyLlama.Fault;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Input;
import dev.layerwise.trace.Trace;
import java.util.Set;

/** Ready-made toy traces for tests outside this package. */
public final class ToyTraces {
    private static final ToyLlama TOY = ToyLlama.create();

    private ToyTraces() {
    }

    public static Trace clean32() {
        return TOY.run(DType.FLOAT32);
    }

    public static Trace clean16() {
        return TOY.run(DType.FLOAT16);
    }

    public static Trace siluZero32() {
        return TOY.run(DType.FLOAT32, Fault.SILU_ZERO);
    }

    public static Trace withoutProbs32() {
        return TOY.runOmitting(DType.FLOAT32, Fault.NONE, Set.of("layers.0.attn_probs"));
    }

    /** The same trace with a BOS token prepended to its input. */
    public static Trace withBos(Trace t) {
        int[] ids = new int[t.input().tokenIds().length + 1];
        ids[0] = 1;
        System.arraycopy(t.input().tokenIds(), 0, ids, 1, ids.length - 1);
        return new Trace(t.producer(), t.model(), t.dtype(), new Input(ids, null), t.sketch(), t.steps(), t.topK(), null);
    }
}
