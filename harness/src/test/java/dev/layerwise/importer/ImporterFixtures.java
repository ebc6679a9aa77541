package dev.layerwise.importer;

import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the importer tests find their inputs: the project's ../shared (real dumps) and test resources. */
public final class ImporterFixtures {
    private ImporterFixtures() {
    }

    /** The shared/ folder beside the checkout (a worktree may sit deeper: the nearest one above is used). */
    public static Path shared() {
        for (Path p = Components.repoRoot().getParent(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared");
            if (Files.isRegularFile(candidate.resolve("spec/trace-format-v1.md"))) {
                return candidate;
            }
        }
        Components.require("../shared (the project's shared files)", false,
                "check out the project with its shared/ folder beside it");
        throw new IllegalStateException("unreachable");
    }

    public static Path seedReport() {
        return shared().resolve("seeds/000_15bdb73190024290.txt");
    }

    public static Path candleJson() {
        return shared().resolve("external/tensorlogic/candle_1layer_reference.json");
    }

    public static Path transformersJson() {
        return shared().resolve("external/tensorlogic/transformers_reference_values.json");
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
        return Components.repoRoot().resolve("harness/src/test/resources/importer/llamacpp-eval-tinyllama-2layer.log");
    }
}
