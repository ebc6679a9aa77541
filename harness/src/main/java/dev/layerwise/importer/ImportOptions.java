package dev.layerwise.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.numeric.DType;

/**
 * What the user told {@code layerwise import} besides the file; every field may be null.
 *
 * @param table which markdown table: a 1-based index or a heading substring
 * @param tokenIds the input token ids (from {@code --tokens} or {@code --tokens-from})
 * @param tokenSource where {@code tokenIds} came from, for messages ("--tokens", "ref.json")
 * @param config an HF config.json giving the model's shape
 * @param dtype the model's dtype
 */
public record ImportOptions(String table, int[] tokenIds, String tokenSource, ObjectNode config, DType dtype) {

    public static ImportOptions none() {
        return new ImportOptions(null, null, null, null, null);
    }

    public ImportOptions withTable(String newTable) {
        return new ImportOptions(newTable, tokenIds, tokenSource, config, dtype);
    }

    public ImportOptions withTokens(int[] ids, String source) {
        return new ImportOptions(table, ids, source, config, dtype);
    }

    public ImportOptions withDtype(DType newDtype) {
        return new ImportOptions(table, tokenIds, tokenSource, config, newDtype);
    }

    public ImportOptions withConfig(ObjectNode newConfig) {
        return new ImportOptions(table, tokenIds, tokenSource, newConfig, dtype);
    }
}
