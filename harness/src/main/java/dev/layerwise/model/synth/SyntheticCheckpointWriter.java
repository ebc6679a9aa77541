package dev.layerwise.model.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.LayerwiseException;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.model.LlamaTensors;
import dev.layerwise.model.safetensors.SafetensorsDType;
import dev.layerwise.model.safetensors.SafetensorsLayout;
import dev.layerwise.model.safetensors.TensorEntry;
import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a synthetic checkpoint directory ({@code config.json} + {@code model.safetensors}) atomically.
 * The tensor data is streamed: chunks of values are generated in parallel on all cores and written
 * in file order through a {@link FileChannel}, so memory use does not grow with the model.
 */
public final class SyntheticCheckpointWriter {
    static final int CHUNK_ELEMENTS = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int threads;

    public SyntheticCheckpointWriter() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public SyntheticCheckpointWriter(int threads) {
        this.threads = Math.max(1, threads);
    }

    /**
     * Writes {@code model} to {@code out}. An existing empty directory is replaced; an existing
     * non-empty one only when {@code force}.
     *
     * @throws LayerwiseException (exit 2) when {@code out} exists and may not be replaced, or cannot be written
     */
    public void write(SyntheticModel model, Path out, boolean force) {
        checkTarget(out, force);
        AtomicFiles.writeDirectory(out, AtomicFiles.Overwrite.ALLOW, dir -> {
            makeWorldReadable(dir);
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), model.configJson());
            writeSafetensors(model, dir.resolve("model.safetensors"));
        });
    }

    /** Temporary directories are created owner-only; a checkpoint is ordinary data. */
    private static void makeWorldReadable(Path dir) throws IOException {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
    }

    private static void checkTarget(Path out, boolean force) {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw LayerwiseException.badInput(out, null, "exists and is not a directory");
        }
        if (!force) {
            try (var entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw LayerwiseException.badInput(out, null,
                            "already exists and is not empty; refusing to overwrite (use --force)");
                }
            } catch (IOException e) {
                throw LayerwiseException.badInput(out, null, "cannot list: " + e.getMessage(), e);
            }
        }
    }

    /** Writes only the safetensors file (byte layout of docs/synthetic-checkpoints.md). */
    public void writeSafetensors(SyntheticModel model, Path file) throws IOException {
        List<LlamaTensors.Spec> specs = model.tensors();
        SafetensorsDType stDtype = SafetensorsDType.of(model.dtype());
        SafetensorsLayout layout = SafetensorsLayout.of(
                specs.stream().map(s -> new SafetensorsLayout.Item(s.name(), stDtype, s.shape())).toList(),
                Map.of("format", "pt"));
        Map<String, LlamaTensors.Spec> byName = new HashMap<>();
        specs.forEach(s -> byName.put(s.name(), s));

        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "synth-writer");
            t.setDaemon(true);
            return t;
        });
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(ch, layout.prefixAndHeader());
            // A fixed set of direct buffers cycles between the generating threads and this writing thread:
            // no per-chunk allocation (which made the kernel zero fresh heap pages) and no copy on write.
            int window = 2 * threads + 2;
            int chunkBytes = CHUNK_ELEMENTS * model.dtype().byteSize();
            ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
            for (int b = 0; b < window; b++) {
                free.add(ByteBuffer.allocateDirect(chunkBytes).order(ByteOrder.LITTLE_ENDIAN));
            }
            ArrayDeque<Future<ByteBuffer>> inFlight = new ArrayDeque<>();
            for (TensorEntry e : layout.entries()) {
                SyntheticWeights w = model.weights(byName.get(e.name()));
                long n = e.elementCount();
                for (long from = 0; from < n; from += CHUNK_ELEMENTS) {
                    if (free.isEmpty()) {
                        free.add(writeAndRecycle(ch, inFlight.poll()));
                    }
                    ByteBuffer buffer = free.poll();
                    long start = from;
                    int length = (int) Math.min(CHUNK_ELEMENTS, n - from);
                    inFlight.add(pool.submit(() -> encode(w, start, length, model.dtype(), buffer)));
                }
            }
            while (!inFlight.isEmpty()) {
                writeAndRecycle(ch, inFlight.poll());
            }
            if (ch.size() != layout.fileSize()) {
                throw new IllegalStateException("wrote " + ch.size() + " bytes, expected " + layout.fileSize());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static ByteBuffer writeAndRecycle(FileChannel ch, Future<ByteBuffer> chunk) throws IOException {
        ByteBuffer b = await(chunk);
        writeFully(ch, b);
        return b.clear();
    }

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK_ELEMENTS]);

    private static ByteBuffer encode(SyntheticWeights w, long from, int length, DType dtype, ByteBuffer b) {
        float[] values = SCRATCH.get();
        w.fill(from, values, length);
        b.clear().limit(length * dtype.byteSize());
        switch (dtype) {
            case FLOAT32 -> {
                for (int p = 0; p < length; p++) {
                    b.putFloat(4 * p, values[p]);
                }
            }
            case FLOAT16 -> {
                for (int p = 0; p < length; p++) {
                    b.putShort(2 * p, Float.floatToFloat16(values[p]));
                }
            }
            case BFLOAT16 -> {
                for (int p = 0; p < length; p++) {
                    b.putShort(2 * p, BFloat16.fromFloat(values[p]));
                }
            }
            case FLOAT64 -> throw new IllegalArgumentException("f64 is not a synthetic storage dtype");
        }
        return b;
    }

    private static ByteBuffer await(Future<ByteBuffer> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
