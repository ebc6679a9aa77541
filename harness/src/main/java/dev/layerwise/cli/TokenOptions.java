package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.trace.TraceReader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --tokens} and {@code --tokens-from}, shared by run, rerun, bench and import (a picocli mixin). */
public final class TokenOptions {

    /** Parsed {@code --tokens} ids (a record so that picocli treats the option as one value, not a list). */
    record Ids(int[] values) {
    }

    @Option(names = "--tokens", paramLabel = "\"1 2 3\"", converter = OptionConverters.TokenIds.class,
            description = "Token ids, separated by spaces or commas. Default: run, rerun, bench: TinyLlama's 38-token "
                    + "chat prompt, each id modulo vocab_size; import: the ids the dump states.")
    Ids tokens;

    @Option(names = "--tokens-from", paramLabel = "TRACE", description = "Use the token ids of this trace.")
    Path tokensFrom;

    /** The ids given, or null when neither option was. */
    int[] idsOrNull() {
        if (tokens != null && tokensFrom != null) {
            throw LayerwiseException.badInput("--tokens", null, "give --tokens or --tokens-from, not both");
        }
        if (tokens != null) {
            return tokens.values().clone();
        }
        return tokensFrom != null ? TraceReader.read(tokensFrom).input().tokenIds() : null;
    }

    /** Where the ids came from, for error messages. */
    String origin() {
        return tokensFrom != null ? tokensFrom + ": input.token_ids" : "--tokens";
    }
}
