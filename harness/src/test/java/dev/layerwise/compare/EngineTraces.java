package dev.layerwise.compare;

import dev.layerwise.engine.EngineKind;
import dev.layerwise.engine.JavaEngine;
import dev.layerwise.engine.LlamaEngine;
import dev.layerwise.engine.RunOptions;
import dev.layerwise.engine.StepRecorder;
import dev.layerwise.model.HfCheckpoint;
import dev.layerwise.model.synth.Dimensions;
import dev.layerwise.model.synth.Preset;
import dev.layerwise.model.synth.SyntheticCheckpointWriter;
import dev.layerwise.model.synth.SyntheticModel;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Input;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepAccumulator;
import dev.layerwise.trace.Trace;
import dev.layerwise.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Traces of the real engine ({@link LlamaEngine}) on the synthetic tiny checkpoint (seed 1) for the tests of
 * compare, report, cli and junit. A test class registers one ({@code @RegisterExtension static final EngineTraces
 * engine = new EngineTraces();}); the checkpoint of a storage dtype is synthesized into a temporary directory on
 * first use, and everything is closed and deleted after the class. Faults are {@code --inject} specs
 * (docs/fault-injection.md).
 */
public final class EngineTraces implements AfterAllCallback {
    public static final Dimensions DIMS = Preset.TINY.dimensions();
    public static final int[] TOKENS = {1, 5, 9, 3, 7, 2};
    public static final int T = TOKENS.length;
    public static final int LAYERS = DIMS.dims().layers();
    public static final int HEADS = DIMS.dims().heads();
    public static final int VOCAB = DIMS.dims().vocab();
    private static final long SEED = 1;
    private static final int THREADS = 2;

    /**
     * A clean second opinion for a run in the same dtype: every projection output one ulp of the step dtype
     * higher ({@code perturb-ulp}, a systematic rounding difference). The engine is bit-identical for any
     * thread count, so this stands in for a GEMM that accumulates in another order.
     */
    public static final List<String> OTHER_ROUNDING = List.of("layers.*.q=perturb-ulp", "layers.*.k=perturb-ulp",
            "layers.*.v=perturb-ulp", "layers.*.attn_out=perturb-ulp", "layers.*.gate=perturb-ulp",
            "layers.*.up=perturb-ulp", "layers.*.ffn_out=perturb-ulp", "logits=perturb-ulp");

    private final Map<DType, HfCheckpoint> checkpoints = new EnumMap<>(DType.class);
    private Path dir;

    /** The cpu engine on the checkpoint stored in {@code dtype}, with the given faults. */
    public Trace run(DType dtype, String... inject) {
        return run(dtype, List.of(inject));
    }

    public Trace run(DType dtype, List<String> inject) {
        if (dtype == DType.FLOAT64) {
            return oracle(inject);
        }
        return JavaEngine.on(checkpoint(dtype), EngineKind.CPU).run(TOKENS.clone(), options(EngineKind.CPU, inject));
    }

    /** The float64 oracle on the float32 checkpoint. */
    public Trace oracle(List<String> inject) {
        return JavaEngine.on(checkpoint(DType.FLOAT32), EngineKind.ORACLE).run(TOKENS.clone(), options(EngineKind.ORACLE, inject));
    }

    /** A clean run of {@code dtype} that differs from {@link #run(DType, String...)} by rounding only. */
    public Trace otherRounding(DType dtype) {
        return run(dtype, OTHER_ROUNDING);
    }

    /**
     * A clean run whose {@code layers.0.attn_ctx} holds the heads in reverse order (head h's context in slot
     * nH-1-h): a head-order bug, which keeps every row's values. No fault kind writes heads to other slots
     * ({@code gqa-modulo} reads other value heads, which changes row norms), so this one step is rebuilt from the
     * engine's own tensor; the later steps stay those of the clean run.
     */
    public Trace headsReversed(DType dtype) {
        String name = "layers.0.attn_ctx";
        float[][] captured = new float[1][];
        StepRecorder grab = new StepRecorder() {
            @Override
            public void record(String step, long[] shape, DType d, float[] values, int length) {
                if (step.equals(name)) {
                    captured[0] = Arrays.copyOf(values, length);
                }
            }

            @Override
            public void record(String step, long[] shape, DType d, double[] values, int length) {
                throw new UnsupportedOperationException("float32-compute runs only");
            }
        };
        JavaEngine.on(checkpoint(dtype), EngineKind.CPU).llama().run(TOKENS.clone(), options(EngineKind.CPU, List.of()), grab);
        Trace clean = run(dtype);
        Step ctx = clean.step(name).orElseThrow();
        int width = (int) ctx.shape()[1];
        int headDim = DIMS.dims().headDim();
        float[] reversed = new float[captured[0].length];
        for (int t = 0; t < T; t++) {
            for (int h = 0; h < HEADS; h++) {
                System.arraycopy(captured[0], t * width + h * headDim, reversed, t * width + (HEADS - 1 - h) * headDim,
                        headDim);
            }
        }
        Step faulty = StepAccumulator.of(name, ctx.shape(), ctx.dtype(), reversed);
        return clean.withSteps(clean.steps().stream().map(s -> s.name().equals(name) ? faulty : s).toList());
    }

    private static RunOptions options(EngineKind engine, List<String> inject) {
        return RunOptions.defaults().withEngine(engine).withThreads(THREADS).withInject(inject);
    }

    private synchronized HfCheckpoint checkpoint(DType dtype) {
        return checkpoints.computeIfAbsent(dtype, d -> {
            Path out = directory().resolve("tiny-" + d.shortName());
            new SyntheticCheckpointWriter(1).write(SyntheticModel.of(Preset.TINY, SEED, d), out, false);
            return HfCheckpoint.open(out);
        });
    }

    private synchronized Path directory() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("layerwise-engine-traces");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        checkpoints.values().forEach(HfCheckpoint::close);
        checkpoints.clear();
        AtomicFiles.deleteTreeQuietly(dir);
        dir = null;
    }

    /** The trace without the named steps (an engine that does not record them). */
    public static Trace omitting(Trace t, Set<String> names) {
        return t.withSteps(new ArrayList<>(t.steps().stream().filter(s -> !names.contains(s.name())).toList()));
    }

    /** The same trace with a BOS token prepended to its input. */
    public static Trace withBos(Trace t) {
        int[] ids = new int[t.input().tokenIds().length + 1];
        ids[0] = 1;
        System.arraycopy(t.input().tokenIds(), 0, ids, 1, ids.length - 1);
        return withTokens(t, ids);
    }

    /** The same trace claiming other input tokens. */
    public static Trace withTokens(Trace t, int[] ids) {
        return new Trace(t.producer(), t.model(), t.dtype(), new Input(ids, null), t.sketch(), t.steps(), t.topK(), null);
    }
}
