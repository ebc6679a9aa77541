package dev.layerwise.model.safetensors;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The byte layout the reference Python writer (safetensors 0.8) gives a single-dtype file: the
 * tensors in ascending byte order of their names, back to back; a compact JSON header with
 * {@code __metadata__} first; the header padded with spaces to a multiple of 8 bytes.
 */
public final class SafetensorsLayout {
    private final byte[] prefixAndHeader;
    private final List<TensorEntry> entries;

    private SafetensorsLayout(byte[] prefixAndHeader, List<TensorEntry> entries) {
        this.prefixAndHeader = prefixAndHeader;
        this.entries = entries;
    }

    /** A tensor to lay out. */
    public record Item(String name, SafetensorsDType dtype, long[] shape) {
    }

    public static SafetensorsLayout of(List<Item> items, Map<String, String> metadata) {
        List<Item> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(i -> i.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        List<TensorEntry> entries = new ArrayList<>();
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append("\"__metadata__\":{");
            String sep = "";
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                json.append(sep).append(quote(m.getKey())).append(':').append(quote(m.getValue()));
                sep = ",";
            }
            json.append('}');
        }
        long offset = 0;
        for (Item item : sorted) {
            long elements = Arrays.stream(item.shape()).reduce(1, Math::multiplyExact);
            long end = Math.addExact(offset, Math.multiplyExact(elements, (long) item.dtype().bits()) / 8);
            if (json.length() > 1) {
                json.append(',');
            }
            json.append(quote(item.name())).append(":{\"dtype\":\"").append(item.dtype().name()).append("\",\"shape\":[");
            for (int d = 0; d < item.shape().length; d++) {
                json.append(d == 0 ? "" : ",").append(item.shape()[d]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            entries.add(new TensorEntry(item.name(), item.dtype(), item.shape(), offset, end));
            offset = end;
        }
        json.append('}');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(header);
        while (b.hasRemaining()) {
            b.put((byte) ' ');
        }
        return new SafetensorsLayout(b.array(), List.copyOf(entries));
    }

    private static String quote(String s) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
    }

    /** The 8-byte length followed by the padded header: the first bytes of the file. */
    public ByteBuffer prefixAndHeader() {
        return ByteBuffer.wrap(prefixAndHeader).asReadOnlyBuffer();
    }

    /** The tensors in file order with their offsets in the data section. */
    public List<TensorEntry> entries() {
        return entries;
    }

    public long fileSize() {
        return prefixAndHeader.length + (entries.isEmpty() ? 0 : entries.getLast().end());
    }
}
