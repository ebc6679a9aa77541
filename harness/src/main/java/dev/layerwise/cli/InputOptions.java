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

    /** The ids to run (not yet checked against the vocabulary); without ids: TinyLlama's 38-token chat prompt. */
    public int[] tokenIds(int vocabSize) {
        int[] ids = tokens.idsOrNull();
        return ids != null ? ids : Tokens.defaultPrompt(vocabSize);
    }

    /** The ids to run when there is no checkpoint to take a default prompt from (an --engine-cmd run). */
    public int[] tokenIdsWithoutModel() {
        if (!tokens.given()) {
            throw LayerwiseException.badInput("--tokens", null, "required with --engine-cmd (or --tokens-from TRACE)");
        }
        return tokens.idsOrNull();
    }

    /** Where the ids came from, for error messages. */
    public String tokenOrigin() {
        return tokens.origin();
    }
}
