package dev.layerwise.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.numeric.DType;
import org.junit.jupiter.api.Test;

class ActivationsTest {

    @Test
    void siluMatchesFloat64AndRoundsOnceInHalfPrecision() {
        float[] x = KernelFixtures.random(1, 1000, 12, DType.FLOAT16);
        x[0] = 0;
        float[] y32 = new float[x.length];
        float[] y16 = new float[x.length];
        double[] yd = new double[x.length];
        Activations.silu(x, x.length, y32, Precision.of(DType.FLOAT32));
        Activations.silu(x, x.length, y16, Precision.of(DType.FLOAT16));
        Activations.silu(KernelFixtures.widen(x), x.length, yd);
        for (int i = 0; i < x.length; i++) {
            double ref = x[i] / (1 + Math.exp(-(double) x[i]));
            assertEquals(ref, yd[i], 1e-15 * Math.abs(ref) + 1e-300);
            assertEquals(ref, y32[i], 4 * 0x1p-24 * Math.abs(ref) + 1e-40, "f32 x=" + x[i]);
            // silu in f32 then one rounding to f16: the f16 value is the rounded f32 value
            assertEquals(DType.FLOAT16.round(y32[i]), y16[i]);
            assertTrue(KernelFixtures.representable(y16[i], DType.FLOAT16));
        }
        assertEquals(0f, y32[0]);
    }

    @Test
    void productAndSumRoundInTheModelDtype() {
        float[] a = KernelFixtures.random(2, 300, 4, DType.BFLOAT16);
        float[] b = KernelFixtures.random(3, 300, 4, DType.BFLOAT16);
        float[] prod = new float[300];
        float[] sum = new float[300];
        Precision p = Precision.of(DType.BFLOAT16);
        Activations.multiply(a, b, 300, prod, p);
        Activations.add(a, b, 300, sum, p);
        double[] prodD = new double[300];
        Activations.multiply(KernelFixtures.widen(a), KernelFixtures.widen(b), 300, prodD);
        for (int i = 0; i < 300; i++) {
            // a*b of two bf16 values is exact in f32, so one bf16 rounding of the exact product
            assertEquals(DType.BFLOAT16.round((float) ((double) a[i] * b[i])), prod[i]);
            assertEquals((double) a[i] * b[i], prodD[i]);
            assertEquals(DType.BFLOAT16.round(a[i] + b[i]), sum[i]);
        }
    }

    @Test
    void siluIsBitForBitTheScalarExpressionAlsoInPlaceAndOnSubranges() {
        float[] x = KernelFixtures.random(4, 2000, 40, DType.FLOAT32);
        x[5] = Float.NaN;
        x[6] = Float.POSITIVE_INFINITY;
        x[7] = Float.NEGATIVE_INFINITY;
        x[8] = -0f;
        x[9] = -95f;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
            Precision p = Precision.of(dtype);
            float[] expected = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                expected[i] = p.round(x[i] / (1f + (float) Math.exp(-x[i])));
            }
            float[] out = new float[x.length];
            Activations.silu(x, 3, 1999, out, p);
            float[] inPlace = x.clone();
            Activations.silu(inPlace, 0, x.length, inPlace, p);
            for (int i = 0; i < x.length; i++) {
                int want = Float.floatToRawIntBits(expected[i]);
                if (i >= 3 && i < 1999) {
                    assertEquals(want, Float.floatToRawIntBits(out[i]), dtype + " x=" + x[i]);
                } else {
                    assertEquals(0f, out[i]);
                }
                assertEquals(want, Float.floatToRawIntBits(inPlace[i]), dtype + " in place, x=" + x[i]);
            }
        }
    }

    @Test
    void productAndSumAreBitForBitTheScalarExpressionsOnSubrangesAndInPlace() {
        float[] a = KernelFixtures.random(5, 1000, 300, DType.FLOAT32);
        float[] b = KernelFixtures.random(6, 1000, 300, DType.FLOAT32);
        a[10] = Float.intBitsToFloat(0x7fc12345);
        b[11] = Float.POSITIVE_INFINITY;
        a[12] = 3e38f;
        b[12] = 3e38f;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16}) {
            Precision p = Precision.of(dtype);
            float[] prod = new float[a.length];
            float[] sum = new float[a.length];
            Activations.multiply(a, b, 3, 997, prod, p);
            Activations.add(a, b, 3, 997, sum, p);
            float[] inPlace = a.clone();
            Activations.add(inPlace, b, 0, a.length, inPlace, p);
            for (int i = 0; i < a.length; i++) {
                boolean inside = i >= 3 && i < 997;
                assertEquals(inside ? Float.floatToRawIntBits(p.round(a[i] * b[i])) : 0,
                        Float.floatToRawIntBits(prod[i]), dtype + " product " + i);
                assertEquals(inside ? Float.floatToRawIntBits(p.round(a[i] + b[i])) : 0,
                        Float.floatToRawIntBits(sum[i]), dtype + " sum " + i);
                assertEquals(Float.floatToRawIntBits(p.round(a[i] + b[i])), Float.floatToRawIntBits(inPlace[i]),
                        dtype + " sum in place " + i);
            }
        }
    }
}
