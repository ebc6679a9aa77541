package dev.layerwise.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.importer.ImportFormat;
import dev.layerwise.importer.ImportOptions;
import dev.layerwise.importer.ImportResult;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.io.Json;
import dev.layerwise.io.JsonErrors;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.TraceWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code layerwise import}: converts a foreign dump (report table, ad-hoc JSON, llama.cpp log) into a trace. */
@Command(name = "import", description = {"Convert a dump you already have into a trace-format-v1 trace.",
            "Formats: seed-markdown (a report's \"step | Sum\" table), tensorlogic-json (ad-hoc JSON sums and "
                + "samples), llamacpp-eval (llama-eval-callback output). See docs/importers.md."})
public final class ImportCommand extends LayerwiseCommand {

    @Option(names = "--from", required = true, paramLabel = "FORMAT", converter = OptionConverters.Import.class,
            description = "seed-markdown | tensorlogic-json | llamacpp-eval")
    ImportFormat format;

    @Parameters(index = "0", paramLabel = "FILE", description = "The dump to import.")
    Path file;

    @Option(names = "--out", required = true, paramLabel = "TRACE", description = "The trace to write.")
    Path out;

    @Option(names = "--table", paramLabel = "N|NAME",
            description = "seed-markdown: which table (1-based index or a heading substring).")
    String table;

    @Mixin
    TokenOptions tokens;

    @Option(names = "--config", paramLabel = "config.json", description = "HF config.json giving the step shapes.")
    Path config;

    @Option(names = "--dtype", paramLabel = "DTYPE", converter = OptionConverters.Dtype.class,
            description = "The model's dtype (f32, f16, bf16).")
    DType dtype;

    @Option(names = "--force", description = "Replace TRACE if it exists.")
    boolean force;

    @Override
    public Integer call() {
        ImportOptions options = options();
        AtomicFiles.Overwrite overwrite = force ? AtomicFiles.Overwrite.ALLOW : AtomicFiles.Overwrite.REFUSE;
        AtomicFiles.checkTarget(out, overwrite); // before the dump is read
        ImportResult result = format.importer().read(file, options);
        TraceWriter.write(result.trace(), out, overwrite);
        PrintWriter w = out();
        w.println("imported " + file + " (" + format.cliName() + ") -> " + out + ": " + result.trace().steps().size()
                + " steps, " + result.trace().input().tokenIds().length + " tokens, dtype "
                + result.trace().dtype().traceName());
        result.notes().printSummary(w, result.trace().topK().size());
        return 0;
    }

    private ImportOptions options() {
        ImportOptions o = ImportOptions.none().withTable(table);
        int[] ids = tokens.idsOrNull();
        if (ids != null) {
            o = o.withTokens(ids, tokens.tokensFrom != null ? tokens.tokensFrom.toString() : "--tokens");
        }
        if (dtype != null) {
            o = o.withDtype(dtype);
        }
        if (config != null) {
            o = o.withConfig(readConfig(config));
        }
        return o;
    }

    private static ObjectNode readConfig(Path path) {
        try {
            JsonNode n = Json.MAPPER.readTree(Files.readString(path));
            if (n == null || !n.isObject()) {
                throw LayerwiseException.badInput(path, null, "expected a JSON object (an HF config.json)");
            }
            return (ObjectNode) n;
        } catch (NoSuchFileException e) {
            throw LayerwiseException.badInput(path, null, "no such file");
        } catch (JsonProcessingException e) {
            throw LayerwiseException.badInput(path, null, JsonErrors.describe(e));
        } catch (IOException e) {
            throw LayerwiseException.badInput(path, null, "cannot read: " + e.getMessage());
        }
    }
}
