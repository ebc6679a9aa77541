package dev.layerwise.trace;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.LayerwiseException;
import dev.layerwise.numeric.DType;
import dev.layerwise.testing.Components;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace that contradicts itself is bad input (exit 2, one line naming the field), even when its hashes match; every
 * trace a real producer writes still reads (docs/trace-format.md, "Consistency").
 */
class TraceConsistencyTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    /** A real step of 4 rows x 8: mixed signs, two zeros (sin 0 and v[3]). */
    static Step realStep() {
        float[] v = new float[32];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 1.7) * (i % 5 + 1);
        }
        v[3] = 0;
        return StepAccumulator.of("layers.0.q", new long[] {4, 8}, DType.FLOAT32, v);
    }

    static String traceJson(Step s) throws IOException {
        Trace t = new Trace(null, null, DType.FLOAT32, new Input(new int[] {1, 2, 3, 4}, null), SketchSpec.DEFAULT,
                List.of(s), List.of(), null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TraceWriter.write(t, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The real step with one edit to its JSON; the sha256 is left as it was. */
    String mutated(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(traceJson(realStep()));
        edit.accept((ObjectNode) root.get("steps").get(0));
        return JSON.writeValueAsString(root);
    }

    String error(String json) throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, json);
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> TraceReader.read(f));
        assertEquals(2, e.exitCode());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        return e.getMessage().substring(f.toString().length() + 2);
    }

    static ObjectNode stats(ObjectNode step) {
        return (ObjectNode) step.get("stats");
    }

    @Test
    void theUnmodifiedStepReads() throws IOException {
        Path f = dir.resolve("ok.json");
        Files.writeString(f, traceJson(realStep()));
        assertEquals(realStep(), TraceReader.read(f).steps().get(0));
    }

    @Test
    void contradictoryStatisticsNameTheField() throws IOException {
        String at = "steps[0] (layers.0.q).";
        assertEquals(at + "stats.nan: is 33, more than the 32 elements of the shape",
                error(mutated(s -> stats(s).put("nan", 33))));
        assertEquals(at + "stats.zeros: is 40, more than the 32 elements of the shape",
                error(mutated(s -> stats(s).put("zeros", 40))));
        assertEquals(at + "stats: nan + pos_inf + neg_inf + zeros = 34 exceeds the 32 elements of the shape",
                error(mutated(s -> stats(s).put("nan", 20).put("pos_inf", 12))));
        assertEquals(at + "stats.min: 5.0 is greater than max 4.0",
                error(mutated(s -> stats(s).put("min", 5.0).put("max", 4.0))));
        assertEquals(at + "stats.abs_sum: is negative (-1.0)", error(mutated(s -> stats(s).put("abs_sum", -1.0))));
        assertEquals(at + "stats.sum_sq: is negative (-0.5)", error(mutated(s -> stats(s).put("sum_sq", -0.5))));
        assertEquals(at + "row_sum_sq[2]: is negative (-3.0)",
                error(mutated(s -> ((ArrayNode) s.get("row_sum_sq")).set(2, -3.0))));
        assertTrue(error(mutated(s -> stats(s).put("sum", stats(s).get("abs_sum").asDouble() * 1.000001)))
                .startsWith(at + "stats.sum: |sum| "), "|sum| > abs_sum");
        assertTrue(error(mutated(s -> {
            ArrayNode rows = (ArrayNode) s.get("row_sums");
            rows.set(1, rows.get(1).asDouble() + 1e-9 * stats(s).get("abs_sum").asDouble());
        })).startsWith(at + "row_sums: add up to "), "row sums off by 1e-9 of abs_sum");
        assertTrue(error(mutated(s -> {
            ArrayNode rows = (ArrayNode) s.get("row_sum_sq");
            rows.set(0, rows.get(0).asDouble() * (1 + 1e-9));
        })).startsWith(at + "row_sum_sq: add up to "), "row_sum_sq off by 1e-9");
    }

    @Test
    void numbersTooLargeForAFloat64AndTrailingDataAreRejected() throws IOException {
        String json = traceJson(realStep());
        String sum = "\"sum\" : " + realStep().stats().sum();
        assertTrue(json.contains(sum), json);
        assertEquals("steps[0] (layers.0.q).stats.sum: 1E+999999 overflows a float64 (write non-finite values as "
                + "\"Infinity\" or \"-Infinity\")", error(json.replace(sum, "\"sum\" : 1e999999")));
        assertTrue(error(json + "x").startsWith("trailing data after the JSON document (which ends at line "));
        assertTrue(error(json + "{}").startsWith("trailing data after the JSON document"));
        Path ok = dir.resolve("ws.json");
        Files.writeString(ok, json + " \n\t\n");
        assertDoesNotThrow(() -> TraceReader.read(ok), "trailing whitespace is fine");
        // the bare tokens a Python json.dumps(allow_nan=True) writes are still non-finite numbers
        Path bare = dir.resolve("bare.json");
        Files.writeString(bare, json.replace(sum, "\"sum\" : -Infinity").replaceAll("\"abs_sum\" : [^,]*", "\"abs_sum\" : Infinity"));
        assertEquals(Double.NEGATIVE_INFINITY, TraceReader.read(bare).steps().get(0).stats().sum());
        // ordinary literals stay float64 parses: the sign of a zero survives
        Path negativeZero = dir.resolve("zero.json");
        Files.writeString(negativeZero, json.replaceAll("\"min\" : [^,]*", "\"min\" : -0.0"));
        assertEquals(Double.doubleToRawLongBits(-0.0),
                Double.doubleToRawLongBits(TraceReader.read(negativeZero).steps().get(0).stats().min()));
    }

    /**
     * The slack is sound: random tensors of many sizes and dynamic ranges (cancellation included), in float32 and
     * float64, accumulated by the one Java implementation, always read back.
     */
    @Test
    void realStatisticsAlwaysPass() throws IOException {
        java.util.Random rng = new java.util.Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int rows = 1 + rng.nextInt(9);
            int width = 1 + rng.nextInt(3000);
            double spread = Math.pow(10, rng.nextInt(12));
            double[] v = new double[rows * width];
            for (int i = 0; i < v.length; i++) {
                double u = rng.nextDouble() - 0.5;
                v[i] = u * (i % 7 == 0 ? spread : 1);
            }
            boolean f64 = trial % 2 == 0;
            StepAccumulator acc = new StepAccumulator().begin("x", new long[] {rows, width},
                    f64 ? DType.FLOAT64 : DType.FLOAT32);
            if (f64) {
                acc.add(v);
            } else {
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    f[i] = (float) v[i];
                }
                acc.add(f);
            }
            Step s = acc.finish();
            assertTrue(StatsConsistency.check(s, s.elementCount()).isEmpty(),
                    () -> StatsConsistency.check(s, s.elementCount()).orElseThrow().toString());
        }
    }

    /** Every committed reference (Hugging Face CPU and the GPU second opinions) reads. */
    @Test
    void committedReferencesRead() throws IOException {
        Path refs = Components.repoRoot().resolve("reference-dumps");
        List<Path> files;
        try (Stream<Path> s = Files.walk(refs)) {
            files = s.filter(p -> p.toString().endsWith(".json")).toList();
        }
        assertTrue(files.size() >= 5, files::toString);
        for (Path f : files) {
            assertDoesNotThrow(() -> TraceReader.read(f), f::toString);
        }
    }
}
