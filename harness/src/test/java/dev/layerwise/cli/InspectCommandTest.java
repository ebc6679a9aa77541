package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.model.safetensors.RawSafetensors;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @TempDir
    Path dir;
    Path model;

    @BeforeEach
    void synthesize() {
        model = dir.resolve("tiny");
        assertEquals(0, CliRun.of("synth", "--preset", "tiny", "--seed", "1", "--dtype", "bf16", "--out", model.toString()).exitCode());
    }

    @Test
    void printsAnAlignedTableWithTotalsMetadataAndConfig() {
        CliRun r = CliRun.of("inspect", model.toString());
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertTrue(out.contains("llama: hidden_size 64, intermediate_size 176, num_hidden_layers 2"), out);
        assertTrue(out.contains("synthetic: {\"generator\":\"splitmix64-uniform-v1\",\"preset\":\"tiny\",\"seed\":1}"), out);
        assertTrue(out.contains(
                "  lm_head.weight                                  BF16   [512, 64]    32,768       0   65536  64.0 KiB\n"), out);
        assertTrue(out.contains(
                "  model.norm.weight                               BF16   [64]             64  315904  316032     128 B\n"), out);
        assertTrue(out.contains("  format = pt\n"), out);
        assertTrue(out.contains("total: 21 tensors, 158,016 parameters, 316,032 bytes (308.6 KiB)"), out);
    }

    @Test
    void printsJson() throws Exception {
        CliRun r = CliRun.of("inspect", "--json", model.resolve("model.safetensors").toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        JsonNode file = root.get("files").get(0);
        assertEquals(2160, file.get("header_length").asLong());
        assertEquals(21, file.get("tensors").size());
        JsonNode first = file.get("tensors").get(0);
        assertEquals("lm_head.weight", first.get("name").asText());
        assertEquals("[512,64]", first.get("shape").toString());
        assertEquals("[0,65536]", first.get("data_offsets").toString());
        assertEquals(158016, root.get("totals").get("parameters").asLong());
        assertEquals(316032, root.get("totals").get("by_dtype").get("BF16").get("bytes").asLong());
    }

    @Test
    void reportsACorruptFileInOneLineWithExitTwo() throws Exception {
        Path bad = RawSafetensors.write(dir.resolve("bad.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                new byte[12]);
        CliRun r = CliRun.of("inspect", bad.toString());
        assertEquals(2, r.exitCode());
        assertEquals("layerwise: " + bad + ": tensor b: data_offsets [4, 12]: overlaps the previous tensor a, which ends at 8\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void listsDtypesItCannotRead() throws Exception {
        Path ints = RawSafetensors.write(dir.resolve("ints.safetensors"),
                "{\"ids\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]}}", new byte[24]);
        CliRun r = CliRun.of("inspect", ints.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("  ids   I64    [3]           3      0   24  24 B"), r.out());
    }
}
