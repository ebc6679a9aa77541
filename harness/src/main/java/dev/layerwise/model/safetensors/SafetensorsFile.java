package dev.layerwise.model.safetensors;

import dev.layerwise.LayerwiseException;
import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped, validated {@code .safetensors} file. Opening maps the whole file (any size: the
 * mapping is a {@link MemorySegment}, not a 2 GiB ByteBuffer) and parses only the 8-byte length and
 * the JSON header; tensor data stays in the page cache and is handed out as slices of the mapping.
 * Closing unmaps it: tensors obtained from this file must not be used afterwards.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final ValueLayout.OfLong LENGTH = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final SafetensorsHeader header;
    private final Map<String, TensorEntry> byName;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapping, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.header = header;
        Map<String, TensorEntry> m = new LinkedHashMap<>();
        for (TensorEntry t : header.tensors()) {
            m.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    /**
     * Maps and validates {@code path}.
     *
     * @throws LayerwiseException (exit 2) with one line naming the file, the tensor or field, and the rule broken
     */
    public static SafetensorsFile open(Path path) {
        SafetensorsHeaderParser parser = new SafetensorsHeaderParser(path);
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw LayerwiseException.badInput(path, "header length",
                        "the file has " + size + " bytes, too short for the 8-byte header length");
            }
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = mapping.get(LENGTH, 0);
            parser.checkHeaderLength(headerLength, size);
            byte[] headerBytes = mapping.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
            SafetensorsHeader header = parser.parse(headerBytes, size);
            return new SafetensorsFile(path, arena, mapping, header);
        } catch (NoSuchFileException e) {
            arena.close();
            throw LayerwiseException.badInput(path, null, "no such file");
        } catch (IOException e) {
            arena.close();
            throw LayerwiseException.badInput(path, null, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public SafetensorsHeader header() {
        return header;
    }

    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** The tensors in data order. */
    public List<TensorEntry> entries() {
        return header.tensors();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The header entry of {@code name}, or null. */
    public TensorEntry entry(String name) {
        return byName.get(name);
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    /**
     * The tensor {@code name} as a slice of the mapping (nothing is copied).
     *
     * @throws LayerwiseException (exit 2) when it is absent or its dtype is not F32, F16 or BF16
     */
    public Tensor tensor(String name) {
        TensorEntry e = byName.get(name);
        if (e == null) {
            throw LayerwiseException.badInput(path, "tensor " + name, "not in this file");
        }
        DType type = e.dtype().floatType();
        if (type == null) {
            throw LayerwiseException.badInput(path, "tensor " + name, "dtype " + e.dtype()
                    + " cannot be read as float (supported: F32, F16, BF16)");
        }
        MemorySegment data = mapping.asSlice(header.dataStart() + e.begin(), e.byteSize());
        return new Tensor(name, type, e.shape(), data);
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
