package dev.layerwise.engine;

import dev.layerwise.numeric.DType;
import dev.layerwise.trace.Trace;

/**
 * The one way to "run this engine like this reference": the reference's token ids and, where the engine can
 * choose, the reference's dtype. {@code check}, {@code demo}, the margins tool and the engine tests all go
 * through here, whichever {@link Engine} they hold.
 */
public final class ReferenceRunner {
    private ReferenceRunner() {
    }

    /**
     * Runs {@code engine} on the reference's input.
     *
     * @param referenceFile names the reference in an error about its token ids
     * @throws dev.layerwise.LayerwiseException (exit 2) when a token id is outside the engine's vocabulary
     */
    public static Trace runLike(Engine engine, Trace reference, RunOptions options, Object referenceFile) {
        int[] tokens = reference.input().tokenIds();
        Tokens.checkVocabulary(tokens, engine.vocabSize(), referenceFile + ": input.token_ids");
        DType dtype = engine.dtypeLike(reference.dtype());
        return engine.run(tokens.clone(), dtype == null ? options : options.withDtype(dtype));
    }
}
