package dev.layerwise.trace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * SHA-256 (FIPS 180-4) of many independent messages at once: lane j of every int vector runs the compression of
 * one message, so one pass of 64 vector rounds advances 8 (256-bit vectors) or 16 (512-bit) messages by a block.
 * A message that ends frees its lane for the next one, so lanes stay busy while messages are left.
 *
 * <p>Why this exists: a trace hashes every value of every step (tens of MB per forward pass of a 1B model), and on
 * CPUs without SHA instructions the JDK's {@code MessageDigest} hashes one stream at 5 to 10 ns per byte, which
 * made hashing the largest cost of recording. The steps of a forward pass are independent messages, so they can
 * share the vector lanes. The digests are plain SHA-256: {@code MultiBufferSha256Test} checks them against
 * {@code MessageDigest}. Not thread-safe; reusable.
 */
public final class MultiBufferSha256 {
    private static final VarHandle BIG_ENDIAN_INTS =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final int[] ROUND_CONSTANTS = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };
    private static final int[] INITIAL_STATE = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };

    private final VectorSpecies<Integer> species;
    private final int lanes;
    /** Word k of lane j's chaining state at {@code state[k * lanes + j]}. */
    private final int[] state;
    /** Word t of lane j's message schedule at {@code schedule[t * lanes + j]}. */
    private final int[] schedule;
    private final byte[] lastBlocks = new byte[128];

    /** With the widest int vectors this JVM prefers (at most 512 bits, at least 128). */
    public MultiBufferSha256() {
        this(VectorSpecies.of(int.class, VectorShape.forBitSize(
                Math.max(128, Math.min(512, IntVector.SPECIES_PREFERRED.vectorBitSize())))));
    }

    /** With the given species (tests run every width whatever this JVM prefers). */
    MultiBufferSha256(VectorSpecies<Integer> species) {
        this.species = species;
        this.lanes = species.length();
        this.state = new int[8 * lanes];
        this.schedule = new int[64 * lanes];
    }

    /** How many messages advance together. */
    public int lanes() {
        return lanes;
    }

    /**
     * The SHA-256 digests (32 bytes each) of {@code messages[i][0 .. lengths[i])}, in the order given.
     */
    public byte[][] digest(byte[][] messages, int[] lengths) {
        if (messages.length != lengths.length) {
            throw new IllegalArgumentException(messages.length + " messages but " + lengths.length + " lengths");
        }
        for (int i = 0; i < messages.length; i++) {
            if (lengths[i] < 0 || lengths[i] > messages[i].length) {
                throw new IllegalArgumentException("message " + i + ": length " + lengths[i] + " outside its "
                        + messages[i].length + " bytes");
            }
        }
        byte[][] digests = new byte[messages.length][];
        int[] message = new int[lanes];
        long[] block = new long[lanes];
        long[] blocks = new long[lanes];
        int next = 0;
        int active = 0;
        for (int j = 0; j < lanes; j++) {
            message[j] = -1;
            if (next < messages.length) {
                start(j, next++, lengths, message, block, blocks);
                active++;
            }
        }
        while (active > 0) {
            for (int j = 0; j < lanes; j++) {
                if (message[j] >= 0) {
                    loadBlock(j, messages[message[j]], lengths[message[j]], block[j], blocks[j]);
                }
            }
            compress();
            for (int j = 0; j < lanes; j++) {
                if (message[j] >= 0 && ++block[j] == blocks[j]) {
                    digests[message[j]] = laneDigest(j);
                    message[j] = -1;
                    active--;
                    if (next < messages.length) {
                        start(j, next++, lengths, message, block, blocks);
                        active++;
                    }
                }
            }
        }
        return digests;
    }

    private void start(int lane, int index, int[] lengths, int[] message, long[] block, long[] blocks) {
        message[lane] = index;
        block[lane] = 0;
        // the message, one 0x80 byte, zeros, and the 8-byte bit length fill whole 64-byte blocks
        blocks[lane] = (lengths[index] + 8L) / 64 + 1;
        for (int k = 0; k < 8; k++) {
            state[k * lanes + lane] = INITIAL_STATE[k];
        }
    }

    /** Puts block {@code b} of the padded message into lane {@code lane}'s first 16 schedule words. */
    private void loadBlock(int lane, byte[] data, int length, long b, long blocks) {
        long offset = b * 64;
        if (offset + 64 <= length) {
            int at = (int) offset;
            for (int w = 0; w < 16; w++) {
                schedule[w * lanes + lane] = (int) BIG_ENDIAN_INTS.get(data, at + 4 * w);
            }
            return;
        }
        // one of the last one or two blocks (the message's tail and the padding), rebuilt for each of them: the
        // scratch is shared by the lanes
        long firstPadded = (length / 64) * 64L;
        Arrays.fill(lastBlocks, (byte) 0);
        int tail = length - (int) firstPadded;
        System.arraycopy(data, (int) firstPadded, lastBlocks, 0, tail);
        lastBlocks[tail] = (byte) 0x80;
        int end = (int) (blocks * 64 - firstPadded);
        long bits = 8L * length;
        for (int k = 0; k < 8; k++) {
            lastBlocks[end - 1 - k] = (byte) (bits >>> (8 * k));
        }
        int at = (int) (offset - firstPadded);
        for (int w = 0; w < 16; w++) {
            schedule[w * lanes + lane] = (int) BIG_ENDIAN_INTS.get(lastBlocks, at + 4 * w);
        }
    }

    private byte[] laneDigest(int lane) {
        byte[] out = new byte[32];
        for (int k = 0; k < 8; k++) {
            BIG_ENDIAN_INTS.set(out, 4 * k, state[k * lanes + lane]);
        }
        return out;
    }

    /** One block of every lane: the message schedule, 64 rounds, and the chaining addition. */
    private void compress() {
        VectorSpecies<Integer> s = species;
        int n = lanes;
        int[] w = schedule;
        for (int t = 16; t < 64; t++) {
            IntVector w2 = IntVector.fromArray(s, w, (t - 2) * n);
            IntVector w15 = IntVector.fromArray(s, w, (t - 15) * n);
            IntVector sigma1 = w2.lanewise(VectorOperators.ROR, 17)
                    .lanewise(VectorOperators.XOR, w2.lanewise(VectorOperators.ROR, 19))
                    .lanewise(VectorOperators.XOR, w2.lanewise(VectorOperators.LSHR, 10));
            IntVector sigma0 = w15.lanewise(VectorOperators.ROR, 7)
                    .lanewise(VectorOperators.XOR, w15.lanewise(VectorOperators.ROR, 18))
                    .lanewise(VectorOperators.XOR, w15.lanewise(VectorOperators.LSHR, 3));
            sigma1.add(IntVector.fromArray(s, w, (t - 7) * n)).add(sigma0).add(IntVector.fromArray(s, w, (t - 16) * n))
                    .intoArray(w, t * n);
        }
        IntVector a = IntVector.fromArray(s, state, 0);
        IntVector b = IntVector.fromArray(s, state, n);
        IntVector c = IntVector.fromArray(s, state, 2 * n);
        IntVector d = IntVector.fromArray(s, state, 3 * n);
        IntVector e = IntVector.fromArray(s, state, 4 * n);
        IntVector f = IntVector.fromArray(s, state, 5 * n);
        IntVector g = IntVector.fromArray(s, state, 6 * n);
        IntVector h = IntVector.fromArray(s, state, 7 * n);
        for (int t = 0; t < 64; t++) {
            IntVector bigSigma1 = e.lanewise(VectorOperators.ROR, 6)
                    .lanewise(VectorOperators.XOR, e.lanewise(VectorOperators.ROR, 11))
                    .lanewise(VectorOperators.XOR, e.lanewise(VectorOperators.ROR, 25));
            IntVector choose = g.lanewise(VectorOperators.XOR, e.and(f.lanewise(VectorOperators.XOR, g)));
            // h + K + W does not wait for this round's e
            IntVector t1 = h.add(ROUND_CONSTANTS[t]).add(IntVector.fromArray(s, w, t * n)).add(choose).add(bigSigma1);
            IntVector bigSigma0 = a.lanewise(VectorOperators.ROR, 2)
                    .lanewise(VectorOperators.XOR, a.lanewise(VectorOperators.ROR, 13))
                    .lanewise(VectorOperators.XOR, a.lanewise(VectorOperators.ROR, 22));
            IntVector majority = a.and(b).or(c.and(a.or(b)));
            IntVector t2 = bigSigma0.add(majority);
            h = g;
            g = f;
            f = e;
            e = d.add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.add(t2);
        }
        a.add(IntVector.fromArray(s, state, 0)).intoArray(state, 0);
        b.add(IntVector.fromArray(s, state, n)).intoArray(state, n);
        c.add(IntVector.fromArray(s, state, 2 * n)).intoArray(state, 2 * n);
        d.add(IntVector.fromArray(s, state, 3 * n)).intoArray(state, 3 * n);
        e.add(IntVector.fromArray(s, state, 4 * n)).intoArray(state, 4 * n);
        f.add(IntVector.fromArray(s, state, 5 * n)).intoArray(state, 5 * n);
        g.add(IntVector.fromArray(s, state, 6 * n)).intoArray(state, 6 * n);
        h.add(IntVector.fromArray(s, state, 7 * n)).intoArray(state, 7 * n);
    }
}
