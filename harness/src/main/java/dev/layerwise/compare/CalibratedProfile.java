package dev.layerwise.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.io.Json;
import dev.layerwise.io.JsonErrors;
import dev.layerwise.numeric.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-step tolerances measured by {@code layerwise calibrate} from two trusted references, stored as JSON:
 *
 * <pre>{@code
 * {"format": "layerwise-tolerance-profile", "version": 1, "dtype": "float16", "margin": 3.0,
 *  "calibrated_from": ["a.json", "b.json"],
 *  "steps": {"layers.0.q": {"rel_l2": 0.004, "sum": 0.001, "norm": 0.002, "row": 0.01, "sum_only": 0.03}}}
 * }</pre>
 *
 * Steps the profile does not list fall back to another profile (the defaults).
 */
public final class CalibratedProfile implements ToleranceProfile {
    public static final String FORMAT = "layerwise-tolerance-profile";
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final List<String> FIELDS = List.of("rel_l2", "sum", "norm", "row", "sum_only");

    private final DType dtype;
    private final double margin;
    private final List<String> calibratedFrom;
    private final Map<String, Tolerance> steps;
    private final ToleranceProfile fallback;
    private final String origin;

    public CalibratedProfile(DType dtype, double margin, List<String> calibratedFrom, Map<String, Tolerance> steps,
            ToleranceProfile fallback, String origin) {
        this.dtype = dtype;
        this.margin = margin;
        this.calibratedFrom = List.copyOf(calibratedFrom);
        this.steps = new LinkedHashMap<>(steps);
        this.fallback = fallback;
        this.origin = origin;
    }

    public CalibratedProfile withFallback(ToleranceProfile f) {
        return new CalibratedProfile(dtype, margin, calibratedFrom, steps, f, origin);
    }

    public Map<String, Tolerance> steps() {
        return java.util.Collections.unmodifiableMap(steps);
    }

    public DType dtype() {
        return dtype;
    }

    @Override
    public Tolerance forStep(String step, StepPrecision precision, long[] shape) {
        Tolerance t = steps.get(step);
        if (t != null) {
            return t;
        }
        if (fallback == null) {
            throw new IllegalStateException("profile " + origin + " has no step " + step + " and no fallback");
        }
        return fallback.forStep(step, precision, shape);
    }

    @Override
    public String describe() {
        return "calibrated (" + origin + ", " + steps.size() + " steps, margin " + Numbers.format(margin) + ", "
                + dtype.traceName() + "); other steps: " + (fallback == null ? "none" : fallback.describe());
    }

    // --- JSON ---------------------------------------------------------------------------------

    public void write(Path file, AtomicFiles.Overwrite overwrite) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", 1);
        root.put("dtype", dtype.traceName());
        root.put("margin", margin);
        ArrayNode from = root.putArray("calibrated_from");
        calibratedFrom.forEach(from::add);
        ObjectNode s = root.putObject("steps");
        steps.forEach((name, t) -> {
            ObjectNode n = s.putObject(name);
            n.put("rel_l2", t.relL2());
            n.put("sum", t.sum());
            n.put("norm", t.norm());
            n.put("row", t.row());
            n.put("sum_only", t.sumOnly());
        });
        AtomicFiles.writeFile(file, overwrite, out -> Json.pretty().writeValue(out, root));
    }

    /** Reads and validates a profile; errors are one line naming the file and the field (exit 2). */
    public static CalibratedProfile read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw LayerwiseException.badInput(file, null, "no such file");
        } catch (JsonProcessingException e) {
            throw LayerwiseException.badInput(file, null, JsonErrors.describe(e));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw LayerwiseException.badInput(file, null, "not valid UTF-8 text");
        } catch (IOException e) {
            throw LayerwiseException.badInput(file, null, "cannot read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw LayerwiseException.badInput(file, null, "not a JSON object (is this a tolerance profile?)");
        }
        if (!FORMAT.equals(root.path("format").asText(null))) {
            throw LayerwiseException.badInput(file, "format", "expected \"" + FORMAT + "\", got " + root.get("format"));
        }
        JsonNode version = root.path("version");
        if (!version.isIntegralNumber() || !version.canConvertToInt() || version.asInt() != 1) {
            throw LayerwiseException.badInput(file, "version", "unsupported version " + root.get("version")
                    + " (this reader knows version 1)");
        }
        DType dtype;
        try {
            dtype = DType.parse(root.path("dtype").asText(null));
        } catch (IllegalArgumentException e) {
            throw LayerwiseException.badInput(file, "dtype", e.getMessage());
        }
        double margin = root.path("margin").isNumber() ? root.get("margin").asDouble() : 1.0;
        List<String> from = new java.util.ArrayList<>();
        root.path("calibrated_from").forEach(n -> from.add(n.asText()));
        JsonNode stepsNode = root.get("steps");
        if (stepsNode == null || !stepsNode.isObject()) {
            throw LayerwiseException.badInput(file, "steps", "missing required field (an object of step tolerances)");
        }
        Map<String, Tolerance> steps = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : stepsNode.properties()) {
            String at = "steps." + e.getKey();
            if (!e.getValue().isObject()) {
                throw LayerwiseException.badInput(file, at, "expected an object");
            }
            double[] v = new double[FIELDS.size()];
            for (int i = 0; i < v.length; i++) {
                JsonNode n = e.getValue().get(FIELDS.get(i));
                if (n == null || !n.isNumber()) {
                    throw LayerwiseException.badInput(file, at + "." + FIELDS.get(i),
                            n == null ? "missing required field" : "expected a number, got " + n);
                }
                v[i] = n.asDouble();
                if (!(v[i] >= 0) || Double.isInfinite(v[i])) {
                    throw LayerwiseException.badInput(file, at + "." + FIELDS.get(i),
                            "expected a finite non-negative tolerance, got " + n);
                }
            }
            steps.put(e.getKey(), new Tolerance(v[0], v[1], v[2], v[3], v[4]));
        }
        return new CalibratedProfile(dtype, margin, from, steps, null, file.getFileName().toString());
    }
}
