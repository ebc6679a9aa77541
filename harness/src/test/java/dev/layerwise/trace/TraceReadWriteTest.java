package dev.layerwise.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.numeric.DType;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceReadWriteTest {
    @TempDir
    Path dir;

    private static Trace sample() {
        Step a = StepAccumulator.of("embed", new long[] {2, 2}, DType.FLOAT32, new float[] {1, 2, Float.NaN, 4});
        Step b = new Step("logits", new long[] {2, 3}, DType.FLOAT32, Stats.sumOnly(-3.5), null, null, null, null);
        return new Trace(new Producer("layerwise-cpu", "0.1", "cpu", "eager", Map.of("k", "v")), null,
                DType.FLOAT32, new Input(new int[] {5, 7}, null), SketchSpec.DEFAULT, List.of(a, b),
                List.of(new TopLogit(3, 1.5)), null);
    }

    @Test
    void roundTripsIncludingNonFiniteValues() {
        Path f = dir.resolve("t.json");
        Trace t = sample();
        TraceWriter.write(t, f, AtomicFiles.Overwrite.REFUSE);
        Trace back = TraceReader.read(f);
        assertEquals(t.steps(), back.steps());
        assertEquals(t.input(), back.input());
        assertEquals(t.topK(), back.topK());
        assertEquals("layerwise-cpu", back.producer().name());
    }

    private Path gzipped(Path plain, String name) throws Exception {
        Path out = dir.resolve(name);
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(out))) {
            o.write(Files.readAllBytes(plain));
        }
        return out;
    }

    @Test
    void readsGzipCompressedTracesByTheirMagicBytesNotTheirName() throws Exception {
        Path plain = dir.resolve("t.json");
        TraceWriter.write(sample(), plain, AtomicFiles.Overwrite.REFUSE);
        Trace expected = TraceReader.read(plain);
        for (String name : List.of("t.json.gz", "compressed-but-named.json")) {
            Path gz = gzipped(plain, name);
            assertEquals(0x1f, Files.readAllBytes(gz)[0] & 0xff, "really compressed");
            Trace back = TraceReader.read(gz);
            assertEquals(expected.steps(), back.steps(), name);
            assertEquals(expected.topK(), back.topK(), name);
            assertEquals(gz, back.source(), "a trace names the file it came from");
        }
    }

    @Test
    void aTruncatedGzipTraceIsOneClearError() throws Exception {
        Path plain = dir.resolve("t.json");
        TraceWriter.write(sample(), plain, AtomicFiles.Overwrite.REFUSE);
        byte[] whole = Files.readAllBytes(gzipped(plain, "whole.json.gz"));
        Path cut = dir.resolve("cut.json.gz");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> TraceReader.read(cut));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().startsWith(cut + ": corrupt or truncated gzip data"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    @Test
    void refusesToOverwriteAnExistingFile() throws Exception {
        Path f = dir.resolve("t.json");
        Files.writeString(f, "keep");
        LayerwiseException e = assertThrows(LayerwiseException.class,
                () -> TraceWriter.write(sample(), f, AtomicFiles.Overwrite.REFUSE));
        assertEquals(2, e.exitCode());
        assertEquals("keep", Files.readString(f));
    }

    @Test
    void acceptsBareNonFiniteTokensAndIgnoresUnknownFields() throws Exception {
        Path f = dir.resolve("py.json");
        Files.writeString(f, """
                {"format":"layerwise-trace","version":1,"dtype":"float16","future":{"x":1},
                 "input":{"token_ids":[1,2]},
                 "steps":[{"name":"embed","shape":[2,4],"dtype":"float16","stats":{"sum":NaN,"max":Infinity}}]}
                """);
        Trace t = TraceReader.read(f);
        assertTrue(Double.isNaN(t.steps().get(0).stats().sum()));
        assertEquals(Double.POSITIVE_INFINITY, t.steps().get(0).stats().max());
    }

    private String error(String json) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, json);
        LayerwiseException e = assertThrows(LayerwiseException.class, () -> TraceReader.read(f));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
        return e.getMessage();
    }

    @Test
    void integersBeyondTheirRangeAreRejectedNotTruncated() throws Exception {
        String head = "{\"format\":\"layerwise-trace\",\"version\":1,\"dtype\":\"float32\",";
        String step = "{\"name\":\"a\",\"shape\":[1],\"dtype\":\"float32\",\"stats\":{\"sum\":0}}";
        // 2^32 + 1 and 2^64 + 1 used to wrap around to 1
        assertTrue(error(head.replace("\"version\":1", "\"version\":4294967297")
                + "\"input\":{\"token_ids\":[1]},\"steps\":[]}").contains("version"));
        assertTrue(error(head + "\"input\":{\"token_ids\":[18446744073709551617]},\"steps\":[]}")
                .contains("input.token_ids[0]"));
        assertTrue(error(head + "\"input\":{\"token_ids\":[1]},\"sketch\":{\"kind\":\"rademacher-splitmix64\","
                + "\"k\":4294967312,\"seed\":0},\"steps\":[]}").contains("sketch.k"));
        assertTrue(error(head + "\"input\":{\"token_ids\":[1]},\"steps\":["
                + step.replace("[1]", "[18446744073709551617]") + "]}").contains("steps[0] (a).shape[0]"));
        assertTrue(error(head + "\"input\":{\"token_ids\":[1]},\"steps\":["
                + step.replace("[1]", "[4294967296,4294967296]") + "]}").contains("overflows the element count"));
    }

    @Test
    void malformedTracesNameTheFieldAndCause() throws Exception {
        String head = "{\"format\":\"layerwise-trace\",\"version\":1,\"dtype\":\"float32\",\"input\":{\"token_ids\":[1]},";
        assertTrue(error("{\"format\":\"other\",\"version\":1}").contains("format: expected"));
        assertTrue(error("{\"format\":\"layerwise-trace\",\"version\":2}").contains("version"));
        assertTrue(error(head + "\"steps\":[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"float32\",\"stats\":{}}]}")
                .contains("steps[0] (a).stats.sum: missing required field"));
        assertTrue(error(head + "\"steps\":[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"float32\",\"stats\":{\"sum\":\"abc\"}}]}")
                .contains("steps[0] (a).stats.sum: expected a number"));
        assertTrue(error(head + "\"steps\":[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"float32\",\"stats\":{\"sum\":1,\"nan\":\"NaN\"}}]}")
                .contains("stats.nan: expected a non-negative integer count"));
        assertTrue(error(head + "\"steps\":[{\"name\":\"a\",\"shape\":[2],\"dtype\":\"float32\",\"stats\":{\"sum\":1,\"count\":3}}]}")
                .contains("stats.count: is 3 but the shape holds 2"));
        assertTrue(error(head + "\"steps\":[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"float32\",\"stats\":{\"sum\":1}},"
                + "{\"name\":\"a\",\"shape\":[1],\"dtype\":\"float32\",\"stats\":{\"sum\":1}}]}")
                .contains("duplicate step name"));
        assertTrue(error(head + "\"steps\":[{\"name\":\"a\",\"shape\":[2],\"dtype\":\"float32\",\"stats\":{\"sum\":1},\"row_sums\":[1]}]}")
                .contains("row_sums: has 1 values, expected 2"));
        assertTrue(error("{\"format\":\"layerwise-trace\",").contains("not valid JSON"));
    }
}
