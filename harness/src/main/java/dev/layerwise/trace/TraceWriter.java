package dev.layerwise.trace;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes trace-format-v1 JSON: fields in the spec's order, non-finite numbers as the strings
 * "NaN"/"Infinity"/"-Infinity", absent optional fields omitted. Files are written atomically.
 */
public final class TraceWriter {
    private static final ObjectMapper JSON = TraceReader.JSON;

    private TraceWriter() {
    }

    /** Writes {@code trace} to {@code file}; refuses to replace an existing file unless {@code overwrite}. */
    public static void write(Trace trace, Path file, AtomicFiles.Overwrite overwrite) {
        AtomicFiles.writeFile(file, overwrite, out -> write(trace, out));
    }

    public static void write(Trace trace, OutputStream out) throws IOException {
        JsonFactory factory = JSON.getFactory();
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("format", Trace.FORMAT);
            g.writeNumberField("version", Trace.VERSION);
            if (trace.producer() != null) {
                Producer p = trace.producer();
                g.writeObjectFieldStart("producer");
                g.writeStringField("name", p.name());
                g.writeStringField("version", p.version());
                g.writeStringField("device", p.device());
                g.writeStringField("attn_implementation", p.attnImplementation());
                g.writeFieldName("extra");
                JSON.writeValue(g, p.extra() == null ? Map.of() : p.extra());
                g.writeEndObject();
            }
            if (trace.model() != null) {
                ModelInfo m = trace.model();
                g.writeObjectFieldStart("model");
                g.writeStringField("architecture", m.architecture());
                g.writeFieldName("config");
                if (m.config() == null) {
                    g.writeNull();
                } else {
                    JSON.writeTree(g, m.config());
                }
                g.writeStringField("source", m.source());
                g.writeStringField("weights_sha256", m.weightsSha256());
                g.writeEndObject();
            }
            g.writeStringField("dtype", trace.dtype().traceName());
            g.writeObjectFieldStart("input");
            g.writeFieldName("token_ids");
            g.writeArray(trace.input().tokenIds(), 0, trace.input().tokenIds().length);
            g.writeStringField("text", trace.input().text());
            g.writeEndObject();
            if (trace.sketch() != null) {
                g.writeObjectFieldStart("sketch");
                g.writeStringField("kind", trace.sketch().kind());
                g.writeNumberField("k", trace.sketch().k());
                g.writeNumberField("seed", trace.sketch().seed());
                g.writeEndObject();
            }
            g.writeArrayFieldStart("steps");
            for (Step s : trace.steps()) {
                writeStep(g, s);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("top_k");
            for (TopLogit t : trace.topK()) {
                g.writeStartObject();
                g.writeNumberField("token_id", t.tokenId());
                writeNumber(g, "logit", t.logit());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }

    private static void writeStep(JsonGenerator g, Step s) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", s.name());
        g.writeFieldName("shape");
        g.writeArray(s.shape(), 0, s.shape().length);
        g.writeStringField("dtype", s.dtype().traceName());
        if (s.accumulation() != null) {
            g.writeStringField("accumulation", s.accumulation().traceName());
        }
        Stats st = s.stats();
        g.writeObjectFieldStart("stats");
        writeCount(g, "count", st.count());
        writeNumber(g, "sum", st.sum());
        writeOptional(g, "abs_sum", st.absSum());
        writeOptional(g, "sum_sq", st.sumSq());
        if (st.count() != null) {
            // min/max are null (not absent) when a full producer saw no finite value
            writeNullable(g, "min", st.min());
            writeNullable(g, "max", st.max());
        } else {
            writeOptional(g, "min", st.min());
            writeOptional(g, "max", st.max());
        }
        writeCount(g, "nan", st.nan());
        writeCount(g, "pos_inf", st.posInf());
        writeCount(g, "neg_inf", st.negInf());
        writeCount(g, "zeros", st.zeros());
        g.writeEndObject();
        writeArray(g, "row_sums", s.rowSums());
        writeArray(g, "row_sum_sq", s.rowSumSq());
        writeArray(g, "sketch", s.sketch());
        if (s.sha256() != null) {
            g.writeStringField("sha256", s.sha256());
        }
        g.writeEndObject();
    }

    private static void writeCount(JsonGenerator g, String field, Long v) throws IOException {
        if (v != null) {
            g.writeNumberField(field, v);
        }
    }

    private static void writeOptional(JsonGenerator g, String field, Double v) throws IOException {
        if (v != null) {
            writeNumber(g, field, v);
        }
    }

    private static void writeNullable(JsonGenerator g, String field, Double v) throws IOException {
        if (v == null) {
            g.writeNullField(field);
        } else {
            writeNumber(g, field, v);
        }
    }

    static void writeNumber(JsonGenerator g, String field, double v) throws IOException {
        g.writeFieldName(field);
        writeValue(g, v);
    }

    private static void writeValue(JsonGenerator g, double v) throws IOException {
        if (Double.isNaN(v)) {
            g.writeString("NaN");
        } else if (v == Double.POSITIVE_INFINITY) {
            g.writeString("Infinity");
        } else if (v == Double.NEGATIVE_INFINITY) {
            g.writeString("-Infinity");
        } else {
            g.writeNumber(v);
        }
    }

    private static void writeArray(JsonGenerator g, String field, double[] values) throws IOException {
        if (values == null) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (double v : values) {
            writeValue(g, v);
        }
        g.writeEndArray();
    }
}
