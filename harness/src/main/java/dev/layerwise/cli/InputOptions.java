package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.Tokens;
import dev.layerwise.numeric.DType;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What to run on: dtype and token ids (run, rerun and bench; check takes both from the reference). */
public final class InputOptions {

    @Option(names = "--dtype", paramLabel = "float32|float16|bfloat16", converter = OptionConverters.Dtype.class,
            description = "Model dtype for --engine cpu. Default: the checkpoint's torch_dtype.")
    DType dtype;

    @Mixin
    TokenOptions tokens;

    public DType dtypeOrNull() {
        return dtype;
    }

    /**
     * The ids to run (not yet checked against the vocabulary); without ids: TinyLlama's 38-token chat prompt modulo
     * {@code vocabSize}, which an engine of unknown vocabulary (0: an --engine-cmd) cannot take.
     */
    public int[] tokenIds(int vocabSize) {
        int[] ids = tokens.idsOrNull();
        if (ids != null) {
            return ids;
        }
        if (vocabSize == 0) {
            throw LayerwiseException.badInput("--tokens", null, "required with --engine-cmd (or --tokens-from TRACE)");
        }
        return Tokens.defaultPrompt(vocabSize);
    }

    /** Where the ids came from, for error messages. */
    public String tokenOrigin() {
        return tokens.origin();
    }
}
