package dev.layerwise.model.synth;

import dev.layerwise.LayerwiseException;
import dev.layerwise.io.DiskSpace;
import dev.layerwise.io.Json;
import dev.layerwise.io.OutputFolder;
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
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    
    private final int threads;

    public SyntheticCheckpointWriter() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public SyntheticCheckpointWriter(int threads) {
        this.threads = Math.max(1, threads);
    }

    /**
     * Writes {@code model} to {@code out} under the output-safety policy ({@link OutputFolder}): {@code out} must
     * be new, empty, or hold a previous synthetic checkpoint (replaced only with {@code force}); with
     * {@code force} the two files are also added beside other files, never replacing one Layerwise did not
     * write. The size is checked against the free space first; an interrupted write leaves nothing behind.
     *
     * @throws LayerwiseException (exit 2) when {@code out} may not be written, the checkpoint does not fit, or
     *     a write fails
     */
    public void write(SyntheticModel model, Path out, boolean force) {
        SafetensorsLayout layout = layout(model);
        byte[] config = configBytes(model);
        OutputFolder.check(out, force, OutputFolder.Previous.REPLACE_WITH_FORCE);
        DiskSpace.require(out, layout.fileSize() + config.length);
        try (OutputFolder folder = OutputFolder.open(out, force, OutputFolder.Previous.REPLACE_WITH_FORCE)) {
            folder.write("config.json", o -> o.write(config));
            folder.writeFile("model.safetensors", file -> writeSafetensors(model, layout, file));
            folder.commit();
        }
    }

    /**
     * The safetensors layout of {@code model}.
     *
     * @throws LayerwiseException (exit 2) when a tensor's byte size does not fit in 64 bits
     */
    static SafetensorsLayout layout(SyntheticModel model) {
        SafetensorsDType stDtype = SafetensorsDType.of(model.dtype());
        try {
            return SafetensorsLayout.of(model.tensors().stream()
                    .map(s -> new SafetensorsLayout.Item(s.name(), stDtype, s.shape())).toList(), Map.of("format", "pt"));
        } catch (ArithmeticException e) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "the requested shape (hidden size "
                    + model.dimensions().dims().hidden() + ", intermediate size " + model.dimensions().dims().intermediate()
                    + ", vocabulary " + model.dimensions().dims().vocab() + ") needs more than 2^63 bytes: far too large");
        }
    }

    private static byte[] configBytes(SyntheticModel model) {
        try {
            return Json.pretty().writeValueAsBytes(model.configJson());
        } catch (IOException e) {
            throw new IllegalStateException("config.json of a synthetic model", e);
        }
    }

    /** Fills the empty {@code file} with the safetensors bytes (byte layout of docs/synthetic-checkpoints.md). */
    private void writeSafetensors(SyntheticModel model, SafetensorsLayout layout, Path file) throws IOException {
        List<LlamaTensors.Spec> specs = model.tensors();
        Map<String, LlamaTensors.Spec> byName = new HashMap<>();
        specs.forEach(s -> byName.put(s.name(), s));

        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "synth-writer");
            t.setDaemon(true);
            return t;
        });
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
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
