package dev.layerwise.trace;

import dev.layerwise.numeric.DType;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import jdk.incubator.vector.IntVector;

/**
 * The {@code sha256} of many steps, computed a batch at a time with {@link MultiBufferSha256} (one step per vector
 * lane) instead of one {@code MessageDigest} stream per step: the same digests, several times less CPU where the
 * CPU has no SHA instructions (docs/performance.md).
 *
 * <p>{@code add} encodes the values at once (the caller may reuse its array) and keeps the bytes until a batch is
 * hashed: when twice as many steps as lanes are waiting or their bytes reach {@link #PENDING_BYTES}, and at
 * {@link #flush}. Each digest is handed to the step's consumer on the thread that calls {@code add} or
 * {@code flush}. A large step ({@link #DIRECT_BYTES} or more) is hashed on its own at once. Not thread-safe.
 */
public final class BatchedStepHashes {
    /**
     * Steps of at least this many bytes are hashed at once with {@code MessageDigest}, streamed through a buffer that
     * stays in cache: kept for a batch they would be read back from memory, competing with the forward pass for
     * bandwidth (measured: it made recording at 512 tokens slower), and a large step left alone in a batch at the end
     * would cost a whole batch.
     */
    static final long DIRECT_BYTES = 512L << 10;
    /**
     * The most bytes kept waiting for a batch (so that a batch is read back from the caches); the pool of free
     * buffers keeps at most as many.
     */
    static final long PENDING_BYTES = 8L << 20;

    private final MultiBufferSha256 sha = new MultiBufferSha256();
    private final StepDigest encoder = new StepDigest();
    private final List<Waiting> waiting = new ArrayList<>();
    private final List<byte[]> freeBuffers = new ArrayList<>();
    private final long directLimit;
    private final long pendingLimit;
    private long pendingTotal;
    private long freeTotal;

    /**
     * Whether batching pays on this machine: the CPU has no SHA-256 instructions (with them the JDK's digest is as
     * fast) and the JVM's int vectors have at least 8 lanes.
     */
    public static boolean paysHere() {
        return !Sha256Instructions.present() && IntVector.SPECIES_PREFERRED.length() >= 8;
    }

    public BatchedStepHashes() {
        this(DIRECT_BYTES, PENDING_BYTES);
    }

    /** With other bounds (tests). */
    BatchedStepHashes(long directLimit, long pendingLimit) {
        this.directLimit = directLimit;
        this.pendingLimit = pendingLimit;
    }

    /** Queues the hash of a step of {@code dtype} whose values are {@code values[0 .. count)}. */
    public void add(DType dtype, float[] values, int count, Consumer<String> digest) {
        long bytes = (long) count * dtype.byteSize();
        if (bytes >= directLimit) {
            digest.accept(encoder.begin(dtype).addAll(values, 0, count).finish());
            return;
        }
        byte[] buffer = buffer((int) bytes);
        encoder.encode(dtype, values, 0, count, buffer, 0);
        queue(buffer, (int) bytes, digest);
    }

    /** {@link #add(DType, float[], int, Consumer)} for float64 values. */
    public void add(DType dtype, double[] values, int count, Consumer<String> digest) {
        long bytes = (long) count * dtype.byteSize();
        if (bytes >= directLimit) {
            digest.accept(encoder.begin(dtype).addAll(values, 0, count).finish());
            return;
        }
        byte[] buffer = buffer((int) bytes);
        encoder.encode(dtype, values, 0, count, buffer, 0);
        queue(buffer, (int) bytes, digest);
    }

    /** Queues the hash of a step given as the bytes its hash covers, {@code bytes[0 .. length)} (copied). */
    public void addBytes(byte[] bytes, int length, Consumer<String> digest) {
        if (length >= directLimit) {
            digest.accept(encoder.ofBytes(bytes, 0, length));
            return;
        }
        byte[] buffer = buffer(length);
        System.arraycopy(bytes, 0, buffer, 0, length);
        queue(buffer, length, digest);
    }

    /** Hashes every step still waiting and hands out their digests. */
    public void flush() {
        if (waiting.isEmpty()) {
            return;
        }
        List<Waiting> batch = List.copyOf(waiting);
        waiting.clear();
        pendingTotal = 0;
        byte[][] digests = sha.digest(batch.stream().map(Waiting::bytes).toArray(byte[][]::new),
                batch.stream().mapToInt(Waiting::length).toArray());
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < batch.size(); i++) {
            byte[] buffer = batch.get(i).bytes();
            // the pool keeps at most as many bytes as may wait for a batch, so hashing holds at most twice that
            if (freeTotal + buffer.length <= pendingLimit) {
                freeBuffers.add(buffer);
                freeTotal += buffer.length;
            }
            batch.get(i).digest().accept(hex.formatHex(digests[i]));
        }
    }

    private void queue(byte[] buffer, int length, Consumer<String> digest) {
        waiting.add(new Waiting(buffer, length, digest));
        pendingTotal += length;
        if (waiting.size() >= 2 * sha.lanes() || pendingTotal >= pendingLimit) {
            flush();
        }
    }

    /** A free buffer of at least {@code bytes} (the smallest that fits), or a new one. */
    private byte[] buffer(int bytes) {
        int best = -1;
        for (int i = 0; i < freeBuffers.size(); i++) {
            int size = freeBuffers.get(i).length;
            if (size >= bytes && (best < 0 || size < freeBuffers.get(best).length)) {
                best = i;
            }
        }
        if (best < 0) {
            return new byte[bytes];
        }
        byte[] buffer = freeBuffers.remove(best);
        freeTotal -= buffer.length;
        return buffer;
    }

    /** A step's encoded values (the first {@code length} bytes) and who receives its digest. */
    private record Waiting(byte[] bytes, int length, Consumer<String> digest) {
    }
}
