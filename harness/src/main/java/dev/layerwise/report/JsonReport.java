package dev.layerwise.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.Coverage;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.compare.StepDeterminism;
import dev.layerwise.compare.StepMetrics;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.Tolerance;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.io.Json;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.TopLogit;
import dev.layerwise.trace.Trace;
import java.io.UncheckedIOException;

/**
 * report.json: the machine-readable result. Non-finite numbers are written as the strings "NaN", "Infinity",
 * "-Infinity" (as in traces); absent metrics are omitted.
 */
public final class JsonReport {
    private static final ObjectMapper JSON = Json.MAPPER;
    /** Indented like every pretty JSON output, with the unsafe characters of {@link JsonEscapes} escaped. */
    private static final ObjectWriter WRITER = Json.pretty().with(new JsonEscapes());

    private JsonReport() {
    }

    public static String render(Comparison c) {
        ObjectNode root = JSON.createObjectNode();
        root.put("kind", "compare");
        root.put("verdict", c.verdict());
        root.put("exit_code", c.exitCode());
        root.put("first_divergence", c.firstDivergence());
        if (!c.comparable()) {
            root.put("not_comparable", c.notComparable());
        }
        if (c.coverage() != null) {
            root.set("coverage", coverage(c));
        }
        root.set("reference", trace(c.reference()));
        root.set("candidate", trace(c.candidate()));
        root.put("profile", c.profile());
        ArrayNode steps = root.putArray("steps");
        for (StepResult r : c.steps()) {
            steps.add(step(r));
        }
        ArrayNode diags = root.putArray("diagnoses");
        for (Diagnosis d : c.diagnoses()) {
            ObjectNode n = diags.addObject();
            n.put("code", d.code().name());
            n.put("step", d.step());
            n.put("message", d.message());
            n.set("evidence", JSON.valueToTree(d.evidence()));
        }
        ArrayNode notes = root.putArray("notes");
        c.notes().forEach(notes::add);
        return write(root);
    }

    public static String render(DeterminismResult d) {
        ObjectNode root = JSON.createObjectNode();
        root.put("kind", "determinism");
        root.put("verdict", d.verdict());
        root.put("exit_code", d.exitCode());
        root.put("first_nondeterministic", d.firstNondeterministic());
        ArrayNode runs = root.putArray("runs");
        d.runs().forEach(t -> runs.add(trace(t)));
        ArrayNode steps = root.putArray("steps");
        for (StepDeterminism s : d.steps()) {
            ObjectNode n = steps.addObject();
            n.put("name", s.name());
            n.put("identical", s.identical());
            n.put("basis", s.basis());
            ObjectNode spread = n.putObject("spread");
            s.spread().forEach((k, v) -> put(spread, k, v));
            if (!s.note().isEmpty()) {
                n.put("note", s.note());
            }
        }
        return write(root);
    }

    private static ObjectNode coverage(Comparison c) {
        Coverage cov = c.coverage();
        ObjectNode n = JSON.createObjectNode();
        n.put("compared", cov.compared());
        n.put("reference_steps", cov.referenceSteps());
        n.put("fraction", cov.fraction());
        n.put("min_coverage", c.minCoverage());
        n.put("summary", cov.describe());
        ArrayNode missing = n.putArray("not_compared");
        cov.missing().forEach(missing::add);
        ArrayNode unmatched = n.putArray("unmatched_candidate_steps");
        for (Coverage.UnmatchedStep u : cov.unmatched()) {
            ObjectNode e = unmatched.addObject();
            e.put("name", u.name());
            e.put("closest_canonical", u.closest());
        }
        return n;
    }

    private static ObjectNode trace(Trace t) {
        ObjectNode n = JSON.createObjectNode();
        n.put("file", t.source() == null ? null : t.source().toString());
        n.put("dtype", t.dtype().traceName());
        n.put("tokens", t.input().tokenIds().length);
        if (t.producer() != null) {
            ObjectNode p = n.putObject("producer");
            p.put("name", t.producer().name());
            p.put("version", t.producer().version());
            p.put("device", t.producer().device());
            p.put("attn_implementation", t.producer().attnImplementation());
            p.set("extra", JSON.valueToTree(t.producer().extra()));
        }
        if (t.model() != null) {
            n.put("model_source", t.model().source());
        }
        ArrayNode top = n.putArray("top_k");
        for (TopLogit l : t.topK()) {
            ObjectNode e = top.addObject();
            e.put("token_id", l.tokenId());
            put(e, "logit", l.logit());
        }
        return n;
    }

    private static ObjectNode step(StepResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", r.name());
        n.put("verdict", r.verdict().jsonName());
        n.put("reason", r.reason());
        int layer = CanonicalSteps.layerOf(r.name());
        if (layer >= 0) {
            n.put("layer", layer);
        }
        // the step named like the row: for a last-row pair, the whole step's shape
        Step any = r.reference() != null && (r.candidate() == null || r.reference().name().equals(r.name()))
                ? r.reference() : r.candidate();
        ArrayNode shape = n.putArray("shape");
        for (long d : any.shape()) {
            shape.add(d);
        }
        n.put("in_reference", r.reference() != null);
        n.put("in_candidate", r.candidate() != null);
        if (r.reference() != null && !r.reference().name().equals(r.name())) {
            n.put("reference_step", r.reference().name());
        }
        if (r.candidate() != null && !r.candidate().name().equals(r.name())) {
            n.put("candidate_step", r.candidate().name());
        }
        if (r.reference() != null) {
            n.put("reference_dtype", r.reference().dtype().traceName());
            put(n, "reference_sum", r.reference().stats().sum());
        }
        if (r.candidate() != null) {
            n.put("candidate_dtype", r.candidate().dtype().traceName());
            put(n, "candidate_sum", r.candidate().stats().sum());
        }
        StepMetrics m = r.metrics();
        if (m != null) {
            n.put("low_confidence", m.lowConfidence());
            if (m.lastRow() != null) {
                n.put("compared_row", m.lastRow());
            }
            if (m.bitIdentical() != null) {
                n.put("bit_identical", m.bitIdentical());
            }
            put(n, "rel_l2", m.relL2());
            if (m.sketchK() > 0) {
                n.put("sketch_k", m.sketchK());
            }
            put(n, "sum_dev", m.sumDev());
            put(n, "sum_only_dev", m.sumOnlyDev());
            put(n, "norm_ratio", m.normRatio());
            if (m.refNonFinite() != null) {
                n.put("reference_non_finite", m.refNonFinite());
            }
            if (m.candNonFinite() != null) {
                n.put("candidate_non_finite", m.candNonFinite());
            }
            put(n, "reference_zero_fraction", m.refZeroFraction());
            put(n, "candidate_zero_fraction", m.candZeroFraction());
            put(n, "max_row_norm_dev", m.maxRowNormDev());
            put(n, "max_row_sum_dev", m.maxRowSumDev());
            double[] rows = m.rowDeviation();
            if (rows != null) {
                ArrayNode a = n.putArray("row_deviation");
                for (double v : rows) {
                    addNumber(a, v);
                }
            }
        }
        Tolerance t = r.tolerance();
        if (t != null) {
            ObjectNode tol = n.putObject("tolerance");
            put(tol, "rel_l2", t.relL2());
            put(tol, "sum", t.sum());
            put(tol, "norm", t.norm());
            put(tol, "row", t.row());
            put(tol, "sum_only", t.sumOnly());
        }
        if (r.worst() != null) {
            ObjectNode w = n.putObject("failed_check");
            w.put("metric", r.worst().metric());
            put(w, "value", r.worst().value());
            put(w, "limit", r.worst().limit());
        }
        return n;
    }

    private static void put(ObjectNode n, String field, Double v) {
        if (v == null) {
            return;
        }
        if (Double.isNaN(v)) {
            n.put(field, "NaN");
        } else if (Double.isInfinite(v)) {
            n.put(field, v > 0 ? "Infinity" : "-Infinity");
        } else {
            n.put(field, v);
        }
    }

    private static void addNumber(ArrayNode a, double v) {
        if (Double.isNaN(v)) {
            a.add("NaN");
        } else if (Double.isInfinite(v)) {
            a.add(v > 0 ? "Infinity" : "-Infinity");
        } else {
            a.add(v);
        }
    }

    private static String write(ObjectNode root) {
        try {
            return WRITER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

}
