package dev.layerwise.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.model.Tensor;
import dev.layerwise.numeric.BFloat16;
import dev.layerwise.numeric.DType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class WeightMatrixTest {

    private static Tensor allBitPatterns(DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(65536 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 65536; i++) {
            b.putShort((short) i);
        }
        return new Tensor("all", dtype, new long[] {256, 256}, MemorySegment.ofArray(b.array()));
    }

    @Test
    void vectorHalfDecodingMatchesTheJdkForEveryBitPattern() {
        WeightMatrix m = new WeightMatrix(allBitPatterns(DType.FLOAT16));
        float[] row = new float[256];
        for (int r = 0; r < 256; r++) {
            m.decodeRow(r, row, 0);
            for (int c = 0; c < 256; c++) {
                float expected = Float.float16ToFloat((short) (r * 256 + c));
                if (Float.isNaN(expected)) {
                    assertTrue(Float.isNaN(row[c]), "bits " + (r * 256 + c));
                } else {
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(row[c]),
                            "bits " + Integer.toHexString(r * 256 + c));
                }
            }
        }
    }

    @Test
    void vectorBfloat16DecodingIsExactForEveryBitPattern() {
        WeightMatrix m = new WeightMatrix(allBitPatterns(DType.BFLOAT16));
        float[] row = new float[256];
        for (int r = 0; r < 256; r++) {
            m.decodeRow(r, row, 0);
            for (int c = 0; c < 256; c++) {
                assertEquals(Float.floatToRawIntBits(BFloat16.toFloat((short) (r * 256 + c))),
                        Float.floatToRawIntBits(row[c]));
            }
        }
    }

    @Test
    void rowsWithATailShorterThanAVectorDecodeCompletely() {
        float[] v = new float[3 * 37];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.25f - 7;
        }
        for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
            Tensor t = KernelFixtures.tensor("w", d, v, 3, 37);
            WeightMatrix m = new WeightMatrix(t);
            float[] row = new float[37];
            double[] drow = new double[37];
            for (int r = 0; r < 3; r++) {
                m.decodeRow(r, row, 0);
                m.decodeRow(r, drow, 0);
                for (int c = 0; c < 37; c++) {
                    assertEquals(t.getFloat(r * 37L + c), row[c], d + " " + r + "," + c);
                    assertEquals(t.getDouble(r * 37L + c), drow[c]);
                }
            }
        }
    }
}
