package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.engine.Tokens;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.TraceReader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What to run on: dtype and token ids (run and rerun; check takes both from the reference). */
public final class InputOptions {

    @Option(names = "--dtype", paramLabel = "float32|float16|bfloat16",
            description = "Model dtype for --engine cpu. Default: the checkpoint's torch_dtype.")
    String dtype;

    @Option(names = "--tokens", paramLabel = "\"1 2 3\"",
            description = "Token ids. Default: TinyLlama's 38-token chat prompt, each id modulo vocab_size.")
    String tokens;

    @Option(names = "--tokens-from", paramLabel = "TRACE", description = "Use the token ids of this trace.")
    Path tokensFrom;

    public DType dtypeOrNull() {
        if (dtype == null) {
            return null;
        }
        try {
            return DType.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw LayerwiseException.badInput("--dtype", null, e.getMessage());
        }
    }

    /** The ids to run (not yet checked against the vocabulary). */
    public int[] tokenIds(int vocabSize) {
        if (tokens != null && tokensFrom != null) {
            throw LayerwiseException.badInput("--tokens", null, "give --tokens or --tokens-from, not both");
        }
        if (tokens != null) {
            return Tokens.parse(tokens);
        }
        if (tokensFrom != null) {
            return TraceReader.read(tokensFrom).input().tokenIds();
        }
        return Tokens.defaultPrompt(vocabSize);
    }

    /** The ids to run when there is no checkpoint to take a default prompt from (an --engine-cmd run). */
    public int[] tokenIdsWithoutModel() {
        if (tokens == null && tokensFrom == null) {
            throw LayerwiseException.badInput("--tokens", null, "required with --engine-cmd (or --tokens-from TRACE)");
        }
        return tokenIds(0);
    }

    /** Where the ids came from, for error messages. */
    public String tokenOrigin() {
        return tokensFrom != null ? tokensFrom + ": input.token_ids" : "--tokens";
    }
}
