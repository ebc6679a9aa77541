package dev.layerwise.engine;

import dev.layerwise.model.Checkpoint;
import dev.layerwise.model.HfCheckpoint;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Trace;
import java.nio.file.Path;

/**
 * The Java forward pass ({@link LlamaEngine}) as an {@link Engine}: the cpu engine, the opencl engine or the float64
 * oracle.
 */
public final class JavaEngine implements Engine {
    private final EngineKind kind;
    private final Checkpoint checkpoint;
    private final boolean owned;
    private final LlamaEngine engine;

    private JavaEngine(EngineKind kind, Checkpoint checkpoint, boolean owned) {
        this.kind = kind;
        this.checkpoint = checkpoint;
        this.owned = owned;
        try {
            this.engine = LlamaEngine.of(checkpoint);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Opens the checkpoint in {@code modelDir} (closed with the engine) and checks it against its config.
     *
     * @throws dev.layerwise.LayerwiseException (exit 2) naming the file and field at fault
     */
    public static JavaEngine open(Path modelDir, EngineKind kind) {
        return new JavaEngine(kind, HfCheckpoint.open(modelDir), true);
    }

    /** An engine on a checkpoint the caller keeps open and closes. */
    public static JavaEngine on(Checkpoint checkpoint, EngineKind kind) {
        return new JavaEngine(kind, checkpoint, false);
    }

    public LlamaEngine llama() {
        return engine;
    }

    @Override
    public String name() {
        return kind.producerName();
    }

    @Override
    public int vocabSize() {
        return engine.weights().dims().vocab();
    }

    @Override
    public DType dtypeLike(DType referenceDtype) {
        return kind != EngineKind.ORACLE && referenceDtype != DType.FLOAT64 ? referenceDtype : null;
    }

    @Override
    public Trace run(int[] tokens, RunOptions options) {
        return engine.run(tokens, options.withEngine(kind));
    }

    @Override
    public void close() {
        if (owned) {
            checkpoint.close();
        }
    }
}
