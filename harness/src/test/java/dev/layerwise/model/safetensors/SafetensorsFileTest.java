package dev.layerwise.model.safetensors;

import static dev.layerwise.model.safetensors.RawSafetensors.concat;
import static dev.layerwise.model.safetensors.RawSafetensors.f32;
import static dev.layerwise.model.safetensors.RawSafetensors.u16;
import static dev.layerwise.model.safetensors.RawSafetensors.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    private static final String GOOD_HEADER = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[24,28]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";

    @Test
    void readsTensorsAsSlicesOfTheMapping() throws IOException {
        byte[] data = concat(f32(1, 2, 3, 4, 5, -6.5f), u16(0x3f80, 0xc040));
        Path f = write(dir.resolve("ok.safetensors"), GOOD_HEADER + "   ", data);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(Map.of("format", "pt"), s.metadata());
            assertEquals(List.of("a", "b"), s.entries().stream().map(TensorEntry::name).toList());
            Tensor a = s.tensor("a");
            assertEquals(DType.FLOAT32, a.dtype());
            assertArrayEquals(new long[] {2, 3}, a.shape());
            assertEquals(-6.5f, a.getFloat(5));
            Tensor b = s.tensor("b");
            assertEquals(DType.BFLOAT16, b.dtype());
            assertEquals(1.0f, b.getFloat(0));
            assertEquals(-3.0f, b.getFloat(1));
            assertEquals(8 + GOOD_HEADER.length() + 3, s.header().dataStart());
        }
    }

    @Test
    void acceptsAnEmptyFileWithOnlyMetadataAndScalars() throws IOException {
        Path f = write(dir.resolve("scalar.safetensors"),
                "{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"e\":{\"dtype\":\"F16\",\"shape\":[0,5],\"data_offsets\":[4,4]}}",
                f32(7));
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(7f, s.tensor("s").getFloat(0));
            assertEquals(0, s.tensor("e").elementCount());
            assertTrue(s.metadata().isEmpty());
        }
    }

    @Test
    void listsButRefusesToReadNonFloatDtypes() throws IOException {
        Path f = write(dir.resolve("ints.safetensors"),
                "{\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                        + "\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[3],\"data_offsets\":[16,19]},\"f\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[19,20]}}",
                new byte[20]);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(List.of(SafetensorsDType.I64, SafetensorsDType.F64, SafetensorsDType.F8_E4M3, SafetensorsDType.F4),
                    s.entries().stream().map(TensorEntry::dtype).toList());
            assertBad(() -> s.tensor("i"), f, "tensor i", "I64 cannot be read as float");
            assertBad(() -> s.tensor("d"), f, "tensor d", "F64 cannot be read as float");
            assertBad(() -> s.tensor("zzz"), f, "tensor zzz", "not in this file");
        }
    }

    @Test
    void closeReleasesTheMapping() throws IOException {
        Path f = write(dir.resolve("ok.safetensors"), GOOD_HEADER, concat(f32(1, 2, 3, 4, 5, 6), u16(0, 0)));
        SafetensorsFile s = SafetensorsFile.open(f);
        Tensor a = s.tensor("a");
        s.close();
        assertThrows(IllegalStateException.class, () -> a.getFloat(0));
        s.close(); // idempotent
    }

    @Test
    void rejectsAFileTooShortForTheLengthPrefix() throws IOException {
        Path f = dir.resolve("short.safetensors");
        java.nio.file.Files.write(f, new byte[] {1, 2, 3});
        assertBad(f, "header length", "3 bytes, too short");
    }

    @Test
    void rejectsAHeaderLengthBeyondTheFile() throws IOException {
        byte[] h = GOOD_HEADER.getBytes(StandardCharsets.UTF_8);
        Path f = write(dir.resolve("long.safetensors"), h.length + 100, h, new byte[28]);
        assertBad(f, "header length", "claims " + (h.length + 100) + " bytes but the file has only");
    }

    @Test
    void rejectsAHeaderLengthAboveTheHundredMegabyteLimit() throws IOException {
        Path f = write(dir.resolve("huge.safetensors"), 100_000_001L, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertBad(f, "header length", "above the limit of 100000000 bytes");
        Path g = write(dir.resolve("negative.safetensors"), -1L, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertBad(g, "header length", "claims 18446744073709551615 bytes, above the limit");
    }

    @Test
    void rejectsAHeaderThatIsNotJson() throws IOException {
        assertBad(write(dir.resolve("garbage.safetensors"), "{not json", new byte[0]), "header", "not valid JSON");
        assertBad(write(dir.resolve("array.safetensors"), "[1,2]   ", new byte[0]), "header", "not a JSON object");
        assertBad(write(dir.resolve("trailing.safetensors"), "{} {}", new byte[0]), "header", "not valid JSON");
        assertBad(write(dir.resolve("dup.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                f32(1)), "header", "Duplicate field 'a'");
        Path utf = write(dir.resolve("utf.safetensors"), 3, new byte[] {'{', (byte) 0xff, '}'}, new byte[0]);
        assertBad(utf, "header", "not valid UTF-8");
    }

    @Test
    void rejectsMetadataThatIsNotAStringMap() throws IOException {
        assertBad(write(dir.resolve("m.safetensors"), "{\"__metadata__\":{\"n\":1}}", new byte[0]),
                "__metadata__.n", "must be a string");
        assertBad(write(dir.resolve("m2.safetensors"), "{\"__metadata__\":[1]}", new byte[0]),
                "__metadata__", "must be an object");
    }

    @Test
    void rejectsAnUnknownDtype() throws IOException {
        Path f = write(dir.resolve("q.safetensors"), "{\"w\":{\"dtype\":\"Q4_K\",\"shape\":[2],\"data_offsets\":[0,2]}}",
                new byte[2]);
        assertBad(f, "tensor w", "unknown dtype 'Q4_K'");
    }

    @Test
    void rejectsBadShapesAndOffsets() throws IOException {
        assertBad(write(dir.resolve("neg.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
                new byte[4]), "tensor w", "shape must be an array of non-negative integers");
        assertBad(write(dir.resolve("frac.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
                new byte[4]), "tensor w", "shape must be");
        assertBad(write(dir.resolve("three.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}",
                new byte[4]), "tensor w", "data_offsets must be [begin, end]");
        assertBad(write(dir.resolve("backwards.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}",
                new byte[4]), "tensor w", "end is before begin");
        assertBad(write(dir.resolve("overflow.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor w", "overflows");
        assertBad(write(dir.resolve("f4.safetensors"), "{\"w\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}",
                new byte[2]), "tensor w", "not a whole number of bytes");
    }

    @Test
    void rejectsASizeMismatch() throws IOException {
        Path f = write(dir.resolve("size.safetensors"), "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}",
                new byte[8]);
        assertBad(f, "tensor w", "hold 8 bytes but shape [2, 3] of F16 needs 12 bytes (size mismatch)");
    }

    @Test
    void rejectsAGapBeforeTheFirstTensor() throws IOException {
        Path f = write(dir.resolve("gap0.safetensors"), "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                new byte[8]);
        assertBad(f, "tensor w", "gap of 4 bytes before the first tensor (must start at 0)");
    }

    @Test
    void rejectsAGapBetweenTensors() throws IOException {
        Path f = write(dir.resolve("gap.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                new byte[12]);
        assertBad(f, "tensor b", "gap of 4 bytes after the previous tensor a, which ends at 4");
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        Path f = write(dir.resolve("overlap.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                new byte[12]);
        assertBad(f, "tensor b", "overlaps the previous tensor a, which ends at 8");
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        Path f = write(dir.resolve("trailing.safetensors"), "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                new byte[9]);
        assertBad(f, "data", "5 unexpected trailing bytes");
    }

    @Test
    void rejectsATruncatedDataSection() throws IOException {
        Path f = write(dir.resolve("truncated.safetensors"), GOOD_HEADER, new byte[20]);
        assertBad(f, "tensor b", "data_offsets end 28 is past the end of the file, which has 20 data bytes (truncated file)");
    }

    @Test
    void rejectsAMissingFile() {
        assertBad(dir.resolve("nope.safetensors"), null, "no such file");
    }

    private static void assertBad(Path file, String field, String cause) {
        assertBad(() -> SafetensorsFile.open(file).close(), file, field, cause);
    }

    static void assertBad(Runnable action, Path file, String field, String cause) {
        LayerwiseException e = assertThrows(LayerwiseException.class, action::run);
        assertEquals(2, e.exitCode());
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": " + (field == null ? "" : field + ": ")), m);
        assertTrue(m.contains(cause), m);
        assertFalse(m.contains("\n"), m);
    }
}
