package dev.layerwise.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.Input;
import dev.layerwise.trace.LastRowSteps;
import dev.layerwise.trace.ModelDims;
import dev.layerwise.trace.ModelInfo;
import dev.layerwise.trace.Producer;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TopLogit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Imports one "step | sum | ..." table of a markdown report such as the seed report (one-layer TinyLlama,
 * TensorLogic vs Candle). Reports carry sums only: shapes come from {@code --config} or from the
 * TinyLlama-1.1B shape when the report names TinyLlama, token ids from {@code --tokens}/{@code --tokens-from}
 * or from the TinyLlama chat prompt when the report says TinyLlama, 38 tokens, no BOS.
 */
final class SeedMarkdownImporter implements Importer {
    private static final Pattern TOKEN_COUNT = Pattern.compile("(\\d+)\\s*(?:トークン|tokens?\\b)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NO_BOS = Pattern.compile("BOS\\s*(?:token)?\\s*(?:なし|無し)|no\\s+BOS|without\\s+BOS",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern DTYPE = Pattern.compile("\\((f16|f32|bf16|fp16|fp32|float16|float32|bfloat16)\\)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern TOP_PREDICTION = Pattern.compile(
            "token_id\\s*=\\s*(\\d+)\\s*(?:\\(\"(.*)\"\\))?\\s*,\\s*logit\\s*=\\s*(\\S+)");

    @Override
    public ImportResult read(Path file, ImportOptions options) {
        List<String> lines = DumpFiles.readLines(file);
        String text = String.join("\n", lines);
        List<MarkdownTables.Table> tables = MarkdownTables.parse(lines, file).stream()
                .filter(MarkdownTables.Table::isStepTable).toList();
        if (tables.isEmpty()) {
            throw LayerwiseException.badInput(file, null, "no markdown table of the form \"step | Sum | ...\"");
        }
        int tableIndex = select(tables, options.table(), file);
        MarkdownTables.Table table = tables.get(tableIndex);
        MarkdownTables.requireWellFormed(table, file);

        ImportNotes notes = new ImportNotes(ImportFormat.SEED_MARKDOWN, file);
        notes.source("table", table.heading());
        notes.source("table_index", tableIndex + 1);
        notes.source("table_line", table.line());

        boolean tinyLlama = text.toLowerCase(Locale.ROOT).contains("tinyllama");
        int[] tokens = tokens(file, text, tinyLlama, options, notes);
        ModelDims dims = dims(file, tinyLlama, options, notes);
        DType dtype = dtype(file, text, options, notes);

        List<Step> steps = new ArrayList<>();
        List<TopLogit> topK = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean layerAssumed = false;
        for (MarkdownTables.Row row : table.rows()) {
            String original = MarkdownText.strip(row.cells().get(0));
            String value = MarkdownText.strip(row.cells().get(1));
            String where = "line " + row.line() + " (" + original + ")";
            if (StepAliases.normalize(original).equals("top prediction")) {
                topK.add(topPrediction(value, file, where));
                continue;
            }
            Double sum = NumberText.parse(value);
            if (sum == null) {
                throw LayerwiseException.badInput(file, where, "sum: expected a number, got \"" + value + "\"");
            }
            Optional<StepAliases.Alias> alias = StepAliases.resolve(original);
            if (alias.isEmpty()) {
                notes.unmapped(original, sum);
                continue;
            }
            String step = alias.get().step();
            layerAssumed |= alias.get().layerAssumed();
            if (!seen.add(step)) {
                throw LayerwiseException.badInput(file, where, "a second row for step " + step);
            }
            steps.add(new Step(step, dims.shapeOf(step, tokens.length), dtype, Stats.sumOnly(sum), null, null,
                    null, null));
            notes.mapped(original, step);
            if (step.equals(LastRowSteps.of(CanonicalSteps.LOGITS))) {
                notes.stepNote(step, PartialSteps.lastRowNote("logits", tokens.length,
                        "the report's \"" + original + "\" is the sum over the last position only"));
            }
        }
        if (layerAssumed) {
            notes.assumption("per-layer rows without a layer number (Q, gate, ...) are layer 0 "
                    + "(the report describes a one-layer run)");
        }
        ObjectNode config = options.config() != null ? options.config()
                : dims.toConfig("TinyLlama-1.1B shape assumed from the report (no --config given)");
        Producer producer = new Producer(table.heading().isEmpty() ? "markdown report" : table.heading(), null,
                null, null, notes.toExtra());
        Trace trace = new Trace(producer, new ModelInfo("llama", config, "seed-markdown:" + file.getFileName(), null),
                dtype, new Input(tokens, null), null, steps, topK, null);
        return new ImportResult(trace, notes);
    }

    private static int select(List<MarkdownTables.Table> tables, String choice, Path file) {
        if (choice == null) {
            if (tables.size() == 1) {
                return 0;
            }
            throw LayerwiseException.badInput(file, "--table", "the file has " + tables.size()
                    + " step tables, choose one with --table N or --table NAME: " + list(tables));
        }
        if (choice.matches("\\d+")) {
            Integer parsed = NumberText.wholeNumber(choice);
            int n = parsed == null ? Integer.MAX_VALUE : parsed;
            if (n < 1 || n > tables.size()) {
                throw LayerwiseException.badInput(file, "--table", "no table " + choice + " (the file has "
                        + tables.size() + "): " + list(tables));
            }
            return n - 1;
        }
        String wanted = choice.toLowerCase(Locale.ROOT);
        List<Integer> hits = new ArrayList<>();
        for (int i = 0; i < tables.size(); i++) {
            if (tables.get(i).heading().toLowerCase(Locale.ROOT).contains(wanted)) {
                hits.add(i);
            }
        }
        if (hits.size() != 1) {
            throw LayerwiseException.badInput(file, "--table", (hits.isEmpty() ? "no" : "more than one")
                    + " table heading contains \"" + choice + "\": " + list(tables));
        }
        return hits.get(0);
    }

    private static String list(List<MarkdownTables.Table> tables) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < tables.size(); i++) {
            items.add((i + 1) + " = " + tables.get(i).describe());
        }
        return items.stream().collect(Collectors.joining(", "));
    }

    private static int[] tokens(Path file, String text, boolean tinyLlama, ImportOptions options, ImportNotes notes) {
        Matcher m = TOKEN_COUNT.matcher(text);
        Integer stated = null;
        if (m.find()) {
            stated = NumberText.wholeNumber(m.group(1));
            if (stated == null) {
                throw LayerwiseException.badInput(file, "token count", "\"" + m.group() + "\" is too many tokens");
            }
        }
        if (options.tokenIds() != null) {
            if (stated != null && stated != options.tokenIds().length) {
                throw LayerwiseException.badInput(file, "token count", "the report says " + stated + " tokens but "
                        + options.tokenSource() + " has " + options.tokenIds().length);
            }
            notes.assumption("token ids from " + options.tokenSource() + " (the report gives only a count)");
            return options.tokenIds();
        }
        boolean noBos = NO_BOS.matcher(text).find();
        if (tinyLlama && stated != null && stated == TokenIds.tinyLlamaChatPrompt().length && noBos) {
            notes.assumption("token ids: the report gives only a count (" + stated + ", no BOS); taken as "
                    + "TinyLlama-1.1B-Chat's 38-token chat prompt from docs/synthetic-checkpoints.md");
            return TokenIds.tinyLlamaChatPrompt();
        }
        throw LayerwiseException.badInput(file, "token ids", "the report gives "
                + (stated == null ? "no token ids" : "only a token count (" + stated + ")")
                + "; pass --tokens \"ID ID ...\" or --tokens-from TRACE");
    }

    private static ModelDims dims(Path file, boolean tinyLlama, ImportOptions options, ImportNotes notes) {
        if (options.config() != null) {
            return ModelDims.fromConfig(options.config(), "--config");
        }
        if (tinyLlama) {
            notes.assumption("shapes: TinyLlama-1.1B (hidden 2048, intermediate 5632, heads 32, kv heads 4, "
                    + "vocab 32000), because the report names TinyLlama");
            return ModelDims.TINYLLAMA_1_1B;
        }
        throw LayerwiseException.badInput(file, "model shape", "the report records sums only; "
                + "pass --config config.json to give the step shapes");
    }

    private static DType dtype(Path file, String text, ImportOptions options, ImportNotes notes) {
        if (options.dtype() != null) {
            return options.dtype();
        }
        Matcher m = DTYPE.matcher(text);
        if (m.find()) {
            DType d = DType.parse(m.group(1));
            notes.assumption("dtype " + d.traceName() + " from the report's \"(" + m.group(1) + ")\"");
            return d;
        }
        throw LayerwiseException.badInput(file, "dtype", "the report does not name a dtype; pass --dtype");
    }

    private static TopLogit topPrediction(String value, Path file, String where) {
        Matcher m = TOP_PREDICTION.matcher(value);
        Double logit = m.find() ? NumberText.parse(m.group(3)) : null;
        if (logit == null) {
            throw LayerwiseException.badInput(file, where, "expected \"token_id=N (\\\"text\\\"), logit=X\", got \""
                    + value + "\"");
        }
        Integer tokenId = NumberText.wholeNumber(m.group(1));
        if (tokenId == null) {
            throw LayerwiseException.badInput(file, where, "token id " + m.group(1) + " is too large");
        }
        return new TopLogit(tokenId, logit);
    }
}
