package dev.layerwise.importer;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The foreign dump formats {@code layerwise import --from} reads (docs/importers.md). */
public enum ImportFormat {
    SEED_MARKDOWN("seed-markdown"),
    TENSORLOGIC_JSON("tensorlogic-json"),
    LLAMACPP_EVAL("llamacpp-eval");

    private final String cliName;

    ImportFormat(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /** The importer that reads this format. */
    public Importer importer() {
        return switch (this) {
            case SEED_MARKDOWN -> new SeedMarkdownImporter();
            case TENSORLOGIC_JSON -> new TensorLogicJsonImporter();
            case LLAMACPP_EVAL -> new LlamaCppEvalImporter();
        };
    }

    /**
     * Parses a CLI name.
     *
     * @throws IllegalArgumentException naming the known formats
     */
    public static ImportFormat parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (ImportFormat f : values()) {
            if (f.cliName.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format \"" + name + "\" (known: "
                + Arrays.stream(values()).map(ImportFormat::cliName).collect(Collectors.joining(", ")) + ")");
    }
}
