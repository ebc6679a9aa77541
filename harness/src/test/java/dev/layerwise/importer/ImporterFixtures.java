package dev.layerwise.importer;

import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import java.nio.file.Path;

/** Where the importer tests find their inputs: test resources under harness/src/test/resources/importer/. */
public final class ImporterFixtures {
    private ImporterFixtures() {
    }

    private static Path resource(String name) {
        return Components.repoRoot().resolve("harness/src/test/resources/importer").resolve(name);
    }

    /** The step tables of the report Layerwise was started from (see the note at the top of the file). */
    public static Path seedReport() {
        return resource("seed-report-tables.md");
    }

    /** tensorlogic's candle_1layer_reference.json (provenance: tensorlogic/README.md). */
    public static Path candleJson() {
        return resource("tensorlogic/candle_1layer_reference.json");
    }

    /** tensorlogic's transformers_reference_values.json (provenance: tensorlogic/README.md). */
    public static Path transformersJson() {
        return resource("tensorlogic/transformers_reference_values.json");
    }

    /** One table of the seed report, imported as {@code layerwise import --from seed-markdown --table TABLE} does. */
    public static Trace seedTable(String table) {
        return ImportFormat.SEED_MARKDOWN.importer().read(seedReport(), ImportOptions.none().withTable(table)).trace();
    }

    /** candle_1layer_reference.json, imported as {@code layerwise import --from tensorlogic-json} does. */
    public static Trace candleTrace() {
        return ImportFormat.TENSORLOGIC_JSON.importer().read(candleJson(), ImportOptions.none()).trace();
    }

    /** The hand-written llama-eval-callback log (see docs/importers.md). */
    public static Path llamaCppLog() {
        return resource("llamacpp-eval-tinyllama-2layer.log");
    }
}
