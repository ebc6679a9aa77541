package dev.layerwise.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MultiBufferSha256Test {

    static VectorSpecies<?>[] widths() {
        return new VectorSpecies<?>[] {IntVector.SPECIES_128, IntVector.SPECIES_256, IntVector.SPECIES_512};
    }

    @SuppressWarnings("unchecked")
    private static MultiBufferSha256 sha(VectorSpecies<?> species) {
        return new MultiBufferSha256((VectorSpecies<Integer>) species);
    }

    @ParameterizedTest
    @MethodSource("widths")
    void knownAnswers(VectorSpecies<?> species) {
        byte[][] messages = {
            new byte[0],
            "abc".getBytes(StandardCharsets.US_ASCII),
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".getBytes(StandardCharsets.US_ASCII),
        };
        byte[][] digests = sha(species).digest(messages, new int[] {0, 3, messages[2].length});
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(digests[0]));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex(digests[1]));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", hex(digests[2]));
    }

    /** Every padding case (length mod 64 around 55/56/64), more messages than lanes, uneven lengths. */
    @ParameterizedTest
    @MethodSource("widths")
    void agreesWithMessageDigestOnEveryPaddingCase(VectorSpecies<?> species) throws Exception {
        int[] lengths = {0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 70001, 5, 0, 64,
                         2 * 64 * 64 + 17, 311, 56, 55};
        Random random = new Random(11);
        byte[][] messages = new byte[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            // buffers longer than the message: only the first lengths[i] bytes count
            messages[i] = new byte[lengths[i] + random.nextInt(9)];
            random.nextBytes(messages[i]);
        }
        byte[][] digests = sha(species).digest(messages, lengths);
        for (int i = 0; i < lengths.length; i++) {
            MessageDigest reference = MessageDigest.getInstance("SHA-256");
            reference.update(messages[i], 0, lengths[i]);
            assertArrayEquals(reference.digest(), digests[i], "message " + i + " of " + lengths[i] + " bytes");
        }
    }

    @ParameterizedTest
    @MethodSource("widths")
    void isReusableAndHandlesFewerMessagesThanLanes(VectorSpecies<?> species) throws Exception {
        MultiBufferSha256 sha = sha(species);
        byte[] one = new byte[300];
        new Random(3).nextBytes(one);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(one);
        for (int round = 0; round < 3; round++) {
            assertArrayEquals(expected, sha.digest(new byte[][] {one}, new int[] {300})[0]);
        }
        assertEquals(0, sha.digest(new byte[0][], new int[0]).length);
    }

    @ParameterizedTest
    @MethodSource("widths")
    void rejectsLengthsOutsideTheBuffer(VectorSpecies<?> species) {
        MultiBufferSha256 sha = sha(species);
        assertThrows(IllegalArgumentException.class, () -> sha.digest(new byte[][] {new byte[4]}, new int[] {5}));
        assertThrows(IllegalArgumentException.class, () -> sha.digest(new byte[][] {new byte[4]}, new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> sha.digest(new byte[][] {new byte[4]}, new int[0]));
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
