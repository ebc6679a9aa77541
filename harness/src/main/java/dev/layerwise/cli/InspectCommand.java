package dev.layerwise.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.io.Json;
import dev.layerwise.model.HfCheckpoint;
import dev.layerwise.model.LlamaConfig;
import dev.layerwise.model.safetensors.SafetensorsDType;
import dev.layerwise.model.safetensors.SafetensorsFile;
import dev.layerwise.model.safetensors.TensorEntry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code layerwise inspect}: validates a safetensors file or an HF checkpoint directory and prints
 * its header (tensors, dtypes, shapes, offsets), totals, metadata and (for a directory) the config.
 * Only headers are read: the answer is immediate even for multi-GB checkpoints.
 */
@Command(name = "inspect", description = {"Validates and describes a .safetensors file or a Hugging Face checkpoint directory.",
            "Exit status 2 (with the file, tensor and rule) when it is malformed."})
public final class InspectCommand extends LayerwiseCommand {

    @Parameters(paramLabel = "FILE_OR_DIR", description = "A .safetensors file or a checkpoint directory.")
    Path target;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        if (Files.isDirectory(target)) {
            try (HfCheckpoint c = HfCheckpoint.open(target)) {
                print(out, c.config(), c.files());
            }
        } else {
            try (SafetensorsFile f = SafetensorsFile.open(target)) {
                print(out, null, List.of(f));
            }
        }
        out.flush();
        return 0;
    }

    private void print(PrintWriter out, LlamaConfig config, List<SafetensorsFile> files) throws Exception {
        Totals totals = new Totals();
        files.forEach(f -> f.entries().forEach(totals::add));
        if (json) {
            ObjectMapper mapper = Json.MAPPER;
            ObjectNode root = mapper.createObjectNode();
            root.put("path", target.toString());
            if (config != null) {
                root.set("config", config.raw());
            }
            ArrayNode fileNodes = root.putArray("files");
            files.forEach(f -> fileNodes.add(fileJson(mapper, f)));
            root.set("totals", totals.json(mapper));
            out.println(Json.pretty().writeValueAsString(root));
            return;
        }
        if (config != null) {
            out.println("checkpoint " + target);
            out.println("  " + configSummary(config));
            if (config.raw().has("synthetic")) {
                out.println("  synthetic: " + config.raw().get("synthetic"));
            }
            out.println();
        }
        for (SafetensorsFile f : files) {
            out.printf(Locale.ROOT, "%s: %,d bytes, header %,d bytes, %d tensors%n", f.path(), f.fileSize(),
                    f.header().headerLength(), f.entries().size());
            printTable(out, f.entries());
            if (!f.metadata().isEmpty()) {
                out.println("metadata:");
                f.metadata().forEach((k, v) -> out.println("  " + k + " = " + v));
            }
            out.println();
        }
        totals.print(out);
    }

    static String configSummary(LlamaConfig c) {
        return String.format(Locale.ROOT, "llama: hidden_size %d, intermediate_size %d, num_hidden_layers %d, "
                + "num_attention_heads %d, num_key_value_heads %d, head_dim %d, vocab_size %d, rms_norm_eps %s, "
                + "rope_theta %s, max_position_embeddings %d, torch_dtype %s, tie_word_embeddings %s",
                c.dims().hidden(), c.dims().intermediate(), c.dims().layers(), c.dims().heads(), c.dims().kvHeads(),
                c.dims().headDim(), c.dims().vocab(), c.rmsNormEps(), c.ropeTheta(), c.maxPositionEmbeddings(),
                c.torchDtype().traceName(), c.tieWordEmbeddings());
    }

    private static void printTable(PrintWriter out, List<TensorEntry> entries) {
        String[] head = {"name", "dtype", "shape", "elements", "begin", "end", "size"};
        boolean[] right = {false, false, false, true, true, true, true};
        List<String[]> rows = new ArrayList<>();
        rows.add(head);
        for (TensorEntry e : entries) {
            rows.add(new String[] {e.name(), e.dtype().name(), e.shapeString(), String.format(Locale.ROOT, "%,d", e.elementCount()),
                Long.toString(e.begin()), Long.toString(e.end()), humanBytes(e.byteSize())});
        }
        int[] width = new int[head.length];
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder line = new StringBuilder();
        for (String[] r : rows) {
            line.setLength(0);
            for (int c = 0; c < r.length; c++) {
                String pad = " ".repeat(width[c] - r[c].length());
                line.append("  ").append(right[c] ? pad + r[c] : r[c] + (c == r.length - 1 ? "" : pad));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static String humanBytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static ObjectNode fileJson(ObjectMapper mapper, SafetensorsFile f) {
        ObjectNode n = mapper.createObjectNode();
        n.put("path", f.path().toString());
        n.put("file_size", f.fileSize());
        n.put("header_length", f.header().headerLength());
        ObjectNode meta = n.putObject("metadata");
        f.metadata().forEach(meta::put);
        ArrayNode tensors = n.putArray("tensors");
        for (TensorEntry e : f.entries()) {
            ObjectNode t = tensors.addObject();
            t.put("name", e.name());
            t.put("dtype", e.dtype().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            t.put("elements", e.elementCount());
            t.putArray("data_offsets").add(e.begin()).add(e.end());
            t.put("bytes", e.byteSize());
        }
        return n;
    }

    /** Counts per dtype, in dtype name order. */
    private static final class Totals {
        private final Map<SafetensorsDType, long[]> byDtype = new TreeMap<>();
        private long tensors;
        private long elements;
        private long bytes;

        void add(TensorEntry e) {
            long[] t = byDtype.computeIfAbsent(e.dtype(), d -> new long[3]);
            t[0]++;
            t[1] += e.elementCount();
            t[2] += e.byteSize();
            tensors++;
            elements += e.elementCount();
            bytes += e.byteSize();
        }

        void print(PrintWriter out) {
            out.printf(Locale.ROOT, "total: %d tensors, %,d parameters, %,d bytes (%s)%n", tensors, elements, bytes,
                    humanBytes(bytes));
            byDtype.forEach((d, t) -> out.printf(Locale.ROOT, "  %-8s %d tensors, %,d parameters, %,d bytes (%s)%n",
                    d.name(), t[0], t[1], t[2], humanBytes(t[2])));
        }

        ObjectNode json(ObjectMapper mapper) {
            ObjectNode n = mapper.createObjectNode();
            n.put("tensors", tensors);
            n.put("parameters", elements);
            n.put("bytes", bytes);
            ObjectNode by = n.putObject("by_dtype");
            byDtype.forEach((d, t) -> by.putObject(d.name()).put("tensors", t[0]).put("parameters", t[1]).put("bytes", t[2]));
            return n;
        }
    }
}
