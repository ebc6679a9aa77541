package dev.layerwise.importer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.layerwise.testing.BadInput;

/** Fuzzes the three importers on arbitrary text (docs/fuzzing.md). */
class ImportersFuzzTest {
    private static final int[] TINYLLAMA_TOKENS = {1, 15043, 3186, 29991};

    /** Without --table a report with several tables stops early, so tables 1 and 2 are read too. */
    @FuzzTest(maxDuration = "30s")
    void seedMarkdown(byte[] bytes) {
        BadInput.parseFile("report.md", bytes, file -> {
            for (String table : new String[] {null, "1", "2"}) {
                BadInput.assertOnlyBadInput(
                        () -> new SeedMarkdownImporter().read(file, ImportOptions.none().withTable(table)));
            }
        });
    }

    @FuzzTest(maxDuration = "30s")
    void tensorLogicJson(byte[] bytes) {
        BadInput.parseFile("dump.json", bytes,
                file -> new TensorLogicJsonImporter().read(file, ImportOptions.none()));
    }

    @FuzzTest(maxDuration = "30s")
    void llamaCppEval(byte[] bytes) {
        BadInput.parseFile("eval.log", bytes, file -> new LlamaCppEvalImporter().read(file,
                ImportOptions.none().withTokens(TINYLLAMA_TOKENS, "--tokens")));
    }
}
