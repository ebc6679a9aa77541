package dev.layerwise.importer;

import dev.layerwise.LayerwiseException;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.LastRowSteps;
import dev.layerwise.trace.Input;
import dev.layerwise.trace.ModelInfo;
import dev.layerwise.trace.Producer;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Imports a {@code llama-eval-callback} log (see {@link LlamaCppEvalLog}). Each printed node with a sum
 * becomes a step: canonical when {@link LlamaCppNames} knows it, else {@code llamacpp.<name>}. Shapes are
 * ggml's reversed ([T, H] for {@code {H, T, 1, 1}}). The token ids are not in the log: they come from
 * {@code --tokens} or {@code --tokens-from}.
 */
final class LlamaCppEvalImporter implements Importer {
    static final String PREFIX = "llamacpp.";
    static final String PERMUTED_NOTE =
            "permuted layout: only permutation-invariant stats (sum, row sums) comparable";

    @Override
    public ImportResult read(Path file, ImportOptions options) {
        LlamaCppEvalLog.Log log = LlamaCppEvalLog.readLog(file);
        List<LlamaCppEvalLog.Node> nodes = log.nodes();
        if (nodes.isEmpty()) {
            throw LayerwiseException.badInput(file, null, "no eval-callback node lines (\"ggml_debug: NAME = (f32) "
                    + "OP(...) = {...}\"): is this a llama-eval-callback log?");
        }
        ImportNotes notes = new ImportNotes(ImportFormat.LLAMACPP_EVAL, file);
        nodes = firstGraph(nodes, notes);
        int[] tokenIds = tokenIds(log, options, file, notes);
        int tokens = tokenIds.length;
        checkTokenCount(nodes, tokens, file, options.tokenIds() != null ? options.tokenSource() : "the log");
        boolean sliceSums = sumsCoverPrintedSliceOnly(nodes);
        if (sliceSums) {
            notes.warning("every elided tensor's sum equals the sum of its printed values: this log comes from a "
                    + "llama.cpp older than PR #15637 (Aug 2025), whose \"sum =\" covers only the printed slice; "
                    + "those sums are kept as samples, not comparable");
        }
        DType dtype = options.dtype();
        if (dtype == null) {
            dtype = DType.FLOAT32;
            notes.assumption("trace dtype float32: llama.cpp computes activations in f32 (pass --dtype to "
                    + "record the model's dtype)");
        }

        List<Step> steps = new ArrayList<>();
        Set<String> used = new HashSet<>();
        Map<String, Integer> nameCounts = new HashMap<>();
        CoarsestStorage storage = new CoarsestStorage();
        for (int i = 0; i < nodes.size(); i++) {
            LlamaCppEvalLog.Node node = nodes.get(i);
            String where = node.name() + " (line " + node.line() + ")";
            DType nodeDtype = DType.fromSafetensors(node.type().toUpperCase(Locale.ROOT));
            storage.see(node, nodeDtype);
            if (node.sum() == null) {
                String why = i == nodes.size() - 1 && nodes.size() == log.nodes().size()
                        ? "the log ends inside this block (truncated output: " + TRUNCATED_HINT + ")"
                        : "a block with no complete values (type " + node.type() + ")";
                notes.warning("line " + node.line() + " (" + node.name() + "): " + why + "; not imported");
                notes.unmapped(where, why);
                continue;
            }
            if (nodeDtype == null) {
                notes.unmapped(where, "type " + node.type() + " is not a float tensor type; not a step");
                continue;
            }
            Optional<String> canonical = LlamaCppNames.canonical(node);
            if (canonical.isPresent() && LlamaCppNames.VIEW_OPS.contains(node.op())) {
                notes.unmapped(where, node.op() + " view of an imported tensor; skipped");
                continue;
            }
            if (sliceSums && node.elided()) {
                Map<String, Object> sample = new LinkedHashMap<>();
                sample.put("printed_values", node.values());
                sample.put("printed_slice_sum", node.sum());
                notes.samples(where, sample);
                continue;
            }
            DType stepDtype = storage.stepDtype(nodeDtype);
            Step step = canonical.filter(s -> !used.contains(s))
                    .flatMap(s -> canonicalStep(s, node, tokens, stepDtype, notes))
                    .orElse(null);
            if (step == null) {
                step = keptStep(node, nodeDtype, nameCounts);
                notes.unmappedStep(where, step.name());
            } else {
                used.add(canonical.get());
                notes.mapped(where, step.name());
                storage.noteIfCoarser(step.name(), nodeDtype, notes);
            }
            steps.add(withPrintedRowSums(step, node, notes));
        }
        checkComplete(nodes, log, file, notes);
        Producer producer = new Producer("llama.cpp eval-callback", null, null, null, notes.toExtra());
        Trace trace = new Trace(producer, new ModelInfo("llama", options.config(), "llamacpp-eval:" + file.getFileName(),
                null), dtype, new Input(tokenIds, null), null, steps, List.of(), null);
        return new ImportResult(trace, notes);
    }

    static final String TRUNCATED_HINT = "llama.cpp's asynchronous logger can lose the tail of stdout written to a "
            + "file; scripts/llamacpp/run.sh captures it whole";

    /**
     * The token ids: those the log prints (this version does, on stderr), checked against --tokens when both
     * exist; else --tokens. A log that prints none needs --tokens.
     */
    private static int[] tokenIds(LlamaCppEvalLog.Log log, ImportOptions options, Path file, ImportNotes notes) {
        int[] given = options.tokenIds();
        int[] printed = log.tokenIds();
        if (printed != null && given != null && !Arrays.equals(printed, given)) {
            throw LayerwiseException.badInput(file, "line " + log.tokenLine() + " (token ids)", "the log evaluated "
                    + idList(printed) + " but " + options.tokenSource() + " has " + idList(given));
        }
        if (printed != null) {
            notes.assumption("token ids from the log (line " + log.tokenLine() + ")"
                    + (given != null ? ", equal to " + options.tokenSource() : ""));
            return printed;
        }
        if (given == null) {
            throw LayerwiseException.badInput(file, "token ids", "this eval-callback log does not print the token "
                    + "ids (no \"number of input tokens = N\": capture stderr too); pass --tokens \"ID ID ...\" or "
                    + "--tokens-from TRACE");
        }
        notes.assumption("token ids from " + options.tokenSource() + " (the log does not print them)");
        return given;
    }

    /**
     * A log cut short: no logits is a warning naming the last line; no complete node at all leaves nothing to
     * compare and is an error.
     */
    private static void checkComplete(List<LlamaCppEvalLog.Node> nodes, LlamaCppEvalLog.Log log,
            Path file, ImportNotes notes) {
        LlamaCppEvalLog.Node last = nodes.get(nodes.size() - 1);
        if (nodes.stream().noneMatch(n -> n.sum() != null)) {
            throw LayerwiseException.badInput(file, "line " + last.line() + " (" + last.name() + ")", "no node "
                    + "of the graph has its values and sum in the log: nothing to compare ("
                    + TRUNCATED_HINT + ")");
        }
        boolean logits = nodes.stream().anyMatch(n -> n.name().equals("result_output"));
        if (!logits) {
            notes.warning("line " + log.lines() + ": the log ends without result_output (the logits) after "
                    + last.name() + " (line " + last.line() + "): truncated; the steps after it are missing ("
                    + TRUNCATED_HINT + ")");
        }
    }

    /** The nodes of the first graph: the graph's first node (embd or inp_embd) again starts the next llama_decode. */
    private static List<LlamaCppEvalLog.Node> firstGraph(List<LlamaCppEvalLog.Node> nodes, ImportNotes notes) {
        int graphs = 0;
        int end = nodes.size();
        String start = null;
        for (int i = 0; i < nodes.size(); i++) {
            String name = nodes.get(i).name();
            if (start == null && LlamaCppNames.EMBEDDING_NODES.contains(name)) {
                start = name;
            }
            if (name.equals(start) && ++graphs == 2) {
                end = i;
            }
        }
        if (graphs > 1) {
            notes.warning("the log holds " + graphs + " graphs (one per llama_decode); imported the first, "
                    + "the prompt (lines 1-" + (nodes.get(end).line() - 1) + ")");
        }
        return nodes.subList(0, end);
    }

    private static void checkTokenCount(List<LlamaCppEvalLog.Node> nodes, int tokens, Path file, String source) {
        for (LlamaCppEvalLog.Node n : nodes) {
            if (LlamaCppNames.EMBEDDING_NODES.contains(n.name()) && n.ne()[1] != tokens) {
                throw LayerwiseException.badInput(file, "line " + n.line() + " (" + n.name() + ")", "the log "
                        + "evaluated " + n.ne()[1] + " tokens but " + source + " has " + tokens);
            }
        }
    }

    /**
     * True when every elided tensor's printed sum equals the sum of its printed values within their print
     * rounding: the pre-#15637 eval-callback summed only what it printed. Tensors whose printed values are
     * all zero say nothing either way and do not vote.
     */
    static boolean sumsCoverPrintedSliceOnly(List<LlamaCppEvalLog.Node> nodes) {
        int votes = 0;
        for (LlamaCppEvalLog.Node n : nodes) {
            if (!n.elided() || n.sum() == null || !Double.isFinite(n.sum())
                    || n.values().stream().allMatch(v -> v == 0.0)) {
                continue;
            }
            double printed = n.printedSum();
            double magnitude = n.values().stream().mapToDouble(Math::abs).sum();
            double tolerance = n.printRoundoff() + 5e-7 + 1e-6 * magnitude;
            if (!(Math.abs(n.sum() - printed) <= tolerance)) {
                return false;
            }
            votes++;
        }
        return votes > 0;
    }

    private static Optional<Step> canonicalStep(String canonical, LlamaCppEvalLog.Node node, int tokens,
            DType dtype, ImportNotes notes) {
        long[] ne = node.ne();
        String kind = CanonicalSteps.kindOf(canonical);
        if (kind.equals("attn_probs")) {
            if (ne[3] != 1 || ne[1] != tokens) {
                notes.warning(node.name() + ": attention probabilities of shape " + ggml(ne) + " do not match "
                        + tokens + " tokens; kept under its llama.cpp name");
                return Optional.empty();
            }
            if (ne[0] < tokens) {
                notes.warning(node.name() + ": attention probabilities over " + ne[0] + " keys for " + tokens
                        + " tokens; kept under its llama.cpp name");
                return Optional.empty();
            }
            if (ne[0] != tokens) {
                notes.stepNote(canonical, "note", "llama.cpp's KQ has " + ne[0] + " key columns (the KV cache "
                        + "view, padded), not " + tokens + "; the masked and padded entries are exactly 0, so the "
                        + "printed sum is the canonical [nH, T, T] tensor's: declared with that shape");
            }
            return Optional.of(sumStep(canonical, new long[] {ne[2], ne[1], tokens}, dtype, node.sum(), notes));
        }
        // RoPE'd Q/K are {D, nH, T}; flash attention's output is {D, nH, T} too (already merged per token)
        int rowAxis = kind.equals("q_rope") || kind.equals("k_rope") || node.op().equals(LlamaCppNames.FLASH_ATTN)
                ? 2 : 1;
        for (int a = rowAxis + 1; a < 4; a++) {
            if (ne[a] != 1) {
                notes.warning(node.name() + ": unexpected shape " + ggml(ne) + " for " + canonical
                        + "; kept under its llama.cpp name");
                return Optional.empty();
            }
        }
        long rows = ne[rowAxis];
        long width = node.count() / Math.max(rows, 1);
        if (rows == tokens) {
            return Optional.of(sumStep(canonical, new long[] {rows, width}, dtype, node.sum(), notes));
        }
        if (rows == 1 && tokens > 1) {
            String name = LastRowSteps.of(canonical);
            notes.stepNote(name, PartialSteps.lastRowNote(canonical, tokens, "llama.cpp computes the last layer "
                    + "after attention, the final norm and the logits for the output rows only (inp_out_ids); "
                    + "eval-callback requests one output, the last token"));
            return Optional.of(sumStep(name, new long[] {1, width}, dtype, node.sum(), notes));
        }
        notes.warning(node.name() + ": " + rows + " rows for " + tokens + " tokens; kept under its llama.cpp name");
        return Optional.empty();
    }

    private static Step sumStep(String name, long[] shape, DType dtype, double sum, ImportNotes notes) {
        if (LlamaCppNames.permutedLayout(LastRowSteps.fullStepOf(name))) {
            notes.stepNote(name, "layout", PERMUTED_NOTE);
        }
        return new Step(name, shape, dtype, Stats.sumOnly(sum), null, null, null, null);
    }

    /** A node with no canonical step, under {@code llamacpp.<name>} ({@code #2}, ... for repeated names). */
    private static Step keptStep(LlamaCppEvalLog.Node node, DType dtype, Map<String, Integer> nameCounts) {
        int n = nameCounts.merge(node.name(), 1, Integer::sum);
        String name = PREFIX + node.name() + (n == 1 ? "" : "#" + n);
        long[] ne = node.ne();
        int rank = 4;
        while (rank > 1 && ne[rank - 1] == 1) {
            rank--;
        }
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = ne[rank - 1 - i];
        }
        return new Step(name, shape, dtype, Stats.sumOnly(node.sum()), null, null, null, null);
    }

    /** Row sums when the whole tensor was printed (no elision); from values rounded as printed. */
    private static Step withPrintedRowSums(Step step, LlamaCppEvalLog.Node node, ImportNotes notes) {
        if (node.elided() || node.values().size() != node.count() || step.shape()[0] == 0) {
            return step;
        }
        int rows = (int) step.shape()[0];
        int width = node.values().size() / rows;
        double[] rowSums = new double[rows];
        for (int i = 0; i < node.values().size(); i++) {
            rowSums[i / width] += node.values().get(i);
        }
        notes.stepNote(step.name(), "row_sums", "from the printed values (rounded to the printed decimals)");
        return new Step(step.name(), step.shape(), step.dtype(), step.stats(), rowSums, null, null, null);
    }

    private static String idList(int[] ids) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) {
            b.append(i == 0 ? "" : " ").append(ids[i]);
        }
        return b.append("] (").append(ids.length).append(ids.length == 1 ? " token)" : " tokens)").toString();
    }

    private static String ggml(long[] ne) {
        return "{" + ne[0] + ", " + ne[1] + ", " + ne[2] + ", " + ne[3] + "}";
    }
}
