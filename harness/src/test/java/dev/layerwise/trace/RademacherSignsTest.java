package dev.layerwise.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RademacherSignsTest {

    @Test
    void matchesTheSpecTestVectors() {
        RademacherSigns signs = RademacherSigns.of(0, 16);
        int[] r0 = new int[8];
        int[] r1 = new int[8];
        for (int i = 0; i < 8; i++) {
            r0[i] = signs.sign(0, i);
            r1[i] = signs.sign(1, i);
        }
        assertArrayEquals(new int[] {-1, -1, 1, -1, -1, 1, -1, 1}, r0);
        assertArrayEquals(new int[] {1, 1, -1, 1, 1, -1, 1, 1}, r1);
    }

    @Test
    void bitTableAgreesWithTheDefinition() {
        RademacherSigns signs = RademacherSigns.of(7, 3);
        long[][] bits = signs.negativeBits(1000);
        for (int j = 0; j < 3; j++) {
            for (int i = 0; i < 1000; i++) {
                int fromTable = ((bits[j][i >>> 6] >>> (i & 63)) & 1) == 1 ? -1 : 1;
                assertEquals(signs.sign(j, i), fromTable, "j=" + j + " i=" + i);
            }
        }
    }
}
