package dev.layerwise.importer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.io.JsonErrors;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.Input;
import dev.layerwise.trace.ModelInfo;
import dev.layerwise.trace.Producer;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.TopLogit;
import dev.layerwise.trace.Trace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports the ad-hoc JSON dumps of the tensorlogic project ({@code candle_1layer_reference.json},
 * {@code transformers_reference_values.json}) and that family of layouts: {@code sum} and {@code X_sum}
 * keys, {@code shape}/{@code X_shape} arrays (a leading batch 1 dropped), {@code first_N}/{@code sample_*}
 * value samples, {@code token_ids}/{@code tokens}, and a top-k list of {@code {token_id, logit}} objects.
 */
final class TensorLogicJsonImporter implements Importer {
    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Pattern SAMPLE_KEY = Pattern.compile("(?:(.+?)_)?(first_\\d+|last_\\d+|sample_.*)");
    private static final List<String> TOKEN_KEYS = List.of("token_ids", "tokens", "input_ids");

    /** What the dump says about one tensor (a JSON path such as "layer_0.output"). */
    private static final class Entity {
        final String path;
        Double sum;
        String sumField;
        long[] shape;
        final Map<String, List<Double>> samples = new LinkedHashMap<>();

        Entity(String path) {
            this.path = path;
        }
    }

    /** The walk's findings. */
    private static final class Findings {
        final Map<String, Entity> entities = new LinkedHashMap<>();
        int[] tokenIds;
        String tokenField;
        List<TopLogit> topK;
        /** Nested values that are neither sums, shapes, samples, token ids nor top-k (top-level ones are metadata). */
        final Map<String, Object> unrecognized = new LinkedHashMap<>();

        Entity entity(List<String> path, String last) {
            List<String> p = new ArrayList<>(path);
            if (last != null) {
                p.add(last);
            }
            String key = String.join(".", p);
            return entities.computeIfAbsent(key, Entity::new);
        }
    }

    @Override
    public ImportResult read(Path file, ImportOptions options) {
        JsonNode root = parse(file);
        Findings f = new Findings();
        walk(root, new ArrayList<>(), f, file);
        ImportNotes notes = new ImportNotes(ImportFormat.TENSORLOGIC_JSON, file);
        f.unrecognized.forEach(notes::unmapped);

        int[] tokens = tokens(f, root, options, file, notes);
        ModelDims dims = dims(root, options, file, notes);
        DType dtype = dtype(root, f, options, file, notes);
        Entity finalNorm = null;
        List<Step> steps = new ArrayList<>();
        Map<String, Entity> stepEntities = new LinkedHashMap<>();
        for (Entity e : f.entities.values()) {
            Optional<String> step = resolve(e.path);
            if (e.sum == null) {
                if (!e.samples.isEmpty()) {
                    notes.samples(e.path, e.samples);
                }
                continue;
            }
            if (step.isEmpty()) {
                if (e.shape != null) {
                    String name = "tensorlogic." + e.path;
                    steps.add(sumStep(name, e.shape, dtype, e.sum));
                    notes.unmappedStep(e.sumField, name);
                } else {
                    notes.unmapped(e.sumField, e.sum);
                }
                continue;
            }
            if (stepEntities.containsKey(step.get())) {
                throw LayerwiseException.badInput(file, e.sumField, "a second value for step " + step.get()
                        + " (first: " + stepEntities.get(step.get()).sumField + ")");
            }
            stepEntities.put(step.get(), e);
        }
        dropMislabelledLayerOutputs(stepEntities, file, notes);
        for (Map.Entry<String, Entity> se : stepEntities.entrySet()) {
            String step = se.getKey();
            Entity e = se.getValue();
            steps.add(sumStep(step, shape(step, e, f, dims, tokens.length, file), dtype, e.sum));
            notes.mapped(e.sumField, step);
            if (!e.samples.isEmpty()) {
                notes.stepNote(step, "samples", e.samples);
            }
            if (step.equals(PartialSteps.LOGITS_LAST_ROW)) {
                notes.stepNote(step, PartialSteps.lastRowNote(CanonicalSteps.LOGITS, tokens.length,
                        e.sumField + " is the sum over the last position only"));
            }
        }
        if (steps.isEmpty()) {
            notes.warning("no value in the file is a sum: no step is comparable"
                    + (f.topK == null ? "" : "; only top_k is"));
        }
        List<TopLogit> topK = f.topK == null ? List.of() : f.topK;
        String model = root.path("model").isTextual() ? root.get("model").asText() : null;
        ObjectNode config = options.config() != null ? options.config()
                : dims == null ? null : dims.toConfig("shape of " + (model == null ? "the model" : model));
        String producerName = file.getFileName().toString().replaceFirst("\\.json$", "");
        Trace trace = new Trace(new Producer(producerName, null, null, null, notes.toExtra()),
                new ModelInfo("llama", config, model == null ? "tensorlogic-json:" + file.getFileName() : model,
                        null),
                dtype, new Input(tokens, root.path("prompt").isTextual() ? root.get("prompt").asText() : null),
                null, steps, topK, null);
        return new ImportResult(trace, notes);
    }

    private static Step sumStep(String name, long[] shape, DType dtype, double sum) {
        return new Step(name, shape, dtype, Stats.sumOnly(sum), null, null, null, null);
    }

    private static JsonNode parse(Path file) {
        try {
            JsonNode root = JSON.readTree(DumpFiles.readBytes(file));
            if (root == null || !root.isObject()) {
                throw LayerwiseException.badInput(file, null, "expected a JSON object");
            }
            return root;
        } catch (JacksonException e) {
            throw LayerwiseException.badInput(file, null, JsonErrors.describe(e));
        } catch (IOException e) {
            throw LayerwiseException.badInput(file, null, "cannot read: " + e.getMessage());
        }
    }

    private static void walk(JsonNode node, List<String> path, Findings f, Path file) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String key = field.getKey();
            JsonNode v = field.getValue();
            String at = join(path, key);
            Matcher sample = SAMPLE_KEY.matcher(key);
            if (TOKEN_KEYS.contains(key) && v.isArray() && f.tokenIds == null) {
                f.tokenIds = ints(v, at, file);
                f.tokenField = at;
            } else if (isTopK(v)) {
                if (f.topK == null) {
                    f.topK = topK(v, at, file);
                }
            } else if (key.equals("sum") || key.endsWith("_sum")) {
                Entity e = f.entity(path, key.equals("sum") ? null : key.substring(0, key.length() - 4));
                e.sum = number(v, at, file);
                e.sumField = at;
            } else if (key.equals("shape") || key.endsWith("_shape")) {
                Entity e = f.entity(path, key.equals("shape") ? null : key.substring(0, key.length() - 6));
                e.shape = shape(v, at, file);
            } else if (sample.matches() && v.isArray()) {
                Entity e = f.entity(path, sample.group(1));
                e.samples.put(sample.group(2), doubles(v, at, file));
            } else if (v.isObject() && !(path.isEmpty() && key.equals("config"))) {
                List<String> sub = new ArrayList<>(path);
                sub.add(key);
                walk(v, sub, f, file);
            } else if (!path.isEmpty()) {
                f.unrecognized.put(at, v.isValueNode() ? v.asText() : v.toString());
            }
        }
    }

    private static String join(List<String> path, String key) {
        return path.isEmpty() ? key : String.join(".", path) + "." + key;
    }

    /** The step of a JSON path, trying shorter suffixes ("intermediate_values.layer_0.mlp_output" → "layer_0.mlp_output"). */
    static Optional<String> resolve(String path) {
        String p = path;
        while (true) {
            Optional<StepAliases.Alias> a = StepAliases.resolve(p);
            if (a.isPresent() && !a.get().layerAssumed()) {
                return Optional.of(a.get().step());
            }
            int dot = p.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            p = p.substring(dot + 1);
        }
    }

    /**
     * The known tensorlogic quirk: a layer output whose sum and samples equal the final norm's is the final
     * norm under the wrong label (candle_1layer_reference.json's layer_0.output_sum). Keep final_norm only.
     */
    private static void dropMislabelledLayerOutputs(Map<String, Entity> steps, Path file, ImportNotes notes) {
        Entity norm = steps.get(CanonicalSteps.FINAL_NORM);
        if (norm == null) {
            return;
        }
        List<String> drop = new ArrayList<>();
        for (Map.Entry<String, Entity> se : steps.entrySet()) {
            Entity e = se.getValue();
            if (!CanonicalSteps.kindOf(se.getKey()).equals("out") || !e.sum.equals(norm.sum)) {
                continue;
            }
            List<Double> a = firstSamples(e);
            List<Double> b = firstSamples(norm);
            if (a != null && a.equals(b)) {
                drop.add(se.getKey());
                notes.samples(e.path, e.samples);
                notes.warning(e.sumField + " (" + e.sum + ") equals " + norm.sumField + " with identical first "
                        + a.size() + " values: the dump labelled the final norm as the layer output ("
                        + se.getKey() + "), a known tensorlogic quirk; imported as final_norm only");
            } else {
                notes.warning(e.sumField + " equals " + norm.sumField + " (" + e.sum + "); no samples confirm "
                        + "whether it is the final norm mislabelled, kept both");
            }
        }
        drop.forEach(steps::remove);
    }

    private static List<Double> firstSamples(Entity e) {
        return e.samples.isEmpty() ? null : e.samples.values().iterator().next();
    }

    private static long[] shape(String step, Entity e, Findings f, ModelDims dims, int tokens, Path file) {
        if (step.equals(PartialSteps.LOGITS_LAST_ROW)) {
            Entity logits = f.entities.values().stream().filter(x -> x.shape != null
                    && resolve(x.path).orElse("").equals(CanonicalSteps.LOGITS)).findFirst().orElse(null);
            if (logits != null) {
                return new long[] {1, logits.shape[logits.shape.length - 1]};
            }
        } else if (e.shape != null) {
            return e.shape;
        }
        if (dims == null) {
            throw LayerwiseException.badInput(file, e.sumField, "no shape recorded for " + step
                    + "; pass --config config.json");
        }
        return dims.shapeOf(step, tokens);
    }

    private static int[] tokens(Findings f, JsonNode root, ImportOptions options, Path file, ImportNotes notes) {
        int bos = options.config() != null && options.config().path("bos_token_id").isInt()
                ? options.config().get("bos_token_id").asInt() : TokenIds.LLAMA_BOS;
        if (f.tokenIds != null) {
            if (options.tokenIds() != null && !Arrays.equals(options.tokenIds(), f.tokenIds)) {
                throw LayerwiseException.badInput(file, f.tokenField, "differs from the token ids of "
                        + options.tokenSource() + " (" + TokenIds.describe(f.tokenIds, bos) + " vs "
                        + TokenIds.describe(options.tokenIds(), bos) + ")");
            }
            JsonNode count = root.get("num_tokens");
            if (count != null && count.isInt() && count.asInt() != f.tokenIds.length) {
                notes.warning("num_tokens says " + count.asInt() + " but " + f.tokenField + " has "
                        + f.tokenIds.length + " ids; the ids are used");
            }
            notes.assumption("token ids from " + f.tokenField + ": " + TokenIds.describe(f.tokenIds, bos)
                    + "; a run of the same prompt with BOS has " + (f.tokenIds.length + 1)
                    + " tokens and is not comparable");
            return f.tokenIds;
        }
        if (options.tokenIds() != null) {
            notes.assumption("token ids from " + options.tokenSource());
            return options.tokenIds();
        }
        throw LayerwiseException.badInput(file, "token_ids", "the file has no token ids (token_ids, tokens, "
                + "input_ids); pass --tokens \"ID ID ...\" or --tokens-from TRACE");
    }

    private static ModelDims dims(JsonNode root, ImportOptions options, Path file, ImportNotes notes) {
        if (options.config() != null) {
            return ModelDims.fromConfig(options.config(), "--config");
        }
        if (root.path("config").isObject()) {
            return ModelDims.fromConfig(root.get("config"), file + ": config");
        }
        if (root.path("model").asText("").toLowerCase(Locale.ROOT).contains("tinyllama")) {
            notes.assumption("shapes not recorded in the file come from TinyLlama-1.1B (the file's model)");
            return ModelDims.TINYLLAMA_1_1B;
        }
        return null;
    }

    /**
     * --dtype, else a "dtype"/"torch_dtype" string, else the narrowest of float16/bfloat16 that represents
     * every recorded number exactly (a tensor's sum computed by torch in f16 is itself f16), else float32.
     */
    private static DType dtype(JsonNode root, Findings f, ImportOptions options, Path file, ImportNotes notes) {
        if (options.dtype() != null) {
            return options.dtype();
        }
        for (String key : List.of("dtype", "torch_dtype")) {
            if (root.path(key).isTextual()) {
                try {
                    return DType.parse(root.get(key).asText());
                } catch (IllegalArgumentException e) {
                    throw LayerwiseException.badInput(file, key, e.getMessage());
                }
            }
        }
        List<Double> values = new ArrayList<>();
        for (Entity e : f.entities.values()) {
            if (e.sum != null) {
                values.add(e.sum);
            }
            e.samples.values().forEach(values::addAll);
        }
        if (f.topK != null) {
            f.topK.forEach(t -> values.add(t.logit()));
        }
        for (DType d : List.of(DType.FLOAT16, DType.BFLOAT16)) {
            if (!values.isEmpty() && values.stream().allMatch(v -> representable(v, d))) {
                notes.assumption("dtype " + d.traceName() + ": the file names none, and all " + values.size()
                        + " recorded numbers are exactly representable in " + d.traceName() + " (pass --dtype to override)");
                return d;
            }
        }
        notes.assumption("dtype float32: the file names none (pass --dtype to override)");
        return DType.FLOAT32;
    }

    private static boolean representable(double v, DType d) {
        if (!Double.isFinite(v)) {
            return true;
        }
        float x = (float) v;
        return x == v && d.round(x) == x;
    }

    // --- JSON helpers -----------------------------------------------------------------------------

    private static boolean isTopK(JsonNode v) {
        return v.isArray() && !v.isEmpty() && v.get(0).isObject() && v.get(0).has("token_id")
                && v.get(0).has("logit");
    }

    private static List<TopLogit> topK(JsonNode v, String at, Path file) {
        List<TopLogit> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            JsonNode id = e.get("token_id");
            if (id == null || !id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0) {
                throw LayerwiseException.badInput(file, at + "[" + i + "].token_id",
                        "expected a non-negative integer, got " + id);
            }
            out.add(new TopLogit(id.asInt(), number(e.get("logit"), at + "[" + i + "].logit", file)));
        }
        return out;
    }

    private static double number(JsonNode v, String at, Path file) {
        if (v != null && v.isNumber()) {
            return v.doubleValue();
        }
        Double d = v != null && v.isTextual() ? NumberText.parse(v.asText()) : null;
        if (d == null) {
            throw LayerwiseException.badInput(file, at, "expected a number, got " + v);
        }
        return d;
    }

    private static List<Double> doubles(JsonNode v, String at, Path file) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(number(v.get(i), at + "[" + i + "]", file));
        }
        return out;
    }

    private static int[] ints(JsonNode v, String at, Path file) {
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 0) {
                throw LayerwiseException.badInput(file, at + "[" + i + "]", "expected a token id, got " + e);
            }
            out[i] = e.asInt();
        }
        return out;
    }

    /** A shape array; a leading batch dimension of 1 is dropped from shapes of rank 3 or more. */
    private static long[] shape(JsonNode v, String at, Path file) {
        if (!v.isArray() || v.isEmpty()) {
            throw LayerwiseException.badInput(file, at, "expected an array of dimensions, got " + v);
        }
        long[] dims = new long[v.size()];
        for (int i = 0; i < dims.length; i++) {
            if (!v.get(i).isIntegralNumber() || !v.get(i).canConvertToLong() || v.get(i).asLong() < 0) {
                throw LayerwiseException.badInput(file, at + "[" + i + "]", "expected a dimension, got " + v.get(i));
            }
            dims[i] = v.get(i).asLong();
        }
        return dims.length >= 3 && dims[0] == 1 ? Arrays.copyOfRange(dims, 1, dims.length) : dims;
    }
}
