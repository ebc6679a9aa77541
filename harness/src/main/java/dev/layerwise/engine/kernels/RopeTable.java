package dev.layerwise.engine.kernels;

/**
 * cos/sin of the rotary embedding for positions 0 .. T-1, one value per (position, frequency index i
 * < D/2) since Llama's {@code emb = cat(freqs, freqs)} repeats them over the two halves of a head.
 */
public final class RopeTable {
    final int positions;
    final int half;
    final float[] cosF;
    final float[] sinF;
    final double[] cosD;
    final double[] sinD;

    private RopeTable(int positions, int half, float[] cosF, float[] sinF, double[] cosD, double[] sinD) {
        this.positions = positions;
        this.half = half;
        this.cosF = cosF;
        this.sinF = sinF;
        this.cosD = cosD;
        this.sinD = sinD;
    }

    /**
     * As Hugging Face builds it: {@code inv_freq = 1 / theta^(arange(0, D, 2) / D)} in float32,
     * {@code freq = inv_freq * position} in float32, cos/sin in float32, then cast to the model dtype.
     */
    public static RopeTable forFloat(int positions, int headDim, double theta, Precision p) {
        int half = headDim / 2;
        float[] cos = new float[positions * half];
        float[] sin = new float[positions * half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            float invFreq = 1f / (float) Math.pow((float) theta, exponent);
            for (int t = 0; t < positions; t++) {
                float freq = invFreq * (float) t;
                cos[t * half + i] = p.round((float) Math.cos(freq));
                sin[t * half + i] = p.round((float) Math.sin(freq));
            }
        }
        return new RopeTable(positions, half, cos, sin, null, null);
    }

    /** The same in float64 throughout. */
    public static RopeTable forDouble(int positions, int headDim, double theta) {
        int half = headDim / 2;
        double[] cos = new double[positions * half];
        double[] sin = new double[positions * half];
        for (int i = 0; i < half; i++) {
            double invFreq = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            for (int t = 0; t < positions; t++) {
                double freq = invFreq * t;
                cos[t * half + i] = Math.cos(freq);
                sin[t * half + i] = Math.sin(freq);
            }
        }
        return new RopeTable(positions, half, null, null, cos, sin);
    }

    /** cos of the float32-compute table, [position * D/2 + i] (null for a float64 table). */
    public float[] floatCos() {
        return cosF;
    }

    public float[] floatSin() {
        return sinF;
    }

    public int positions() {
        return positions;
    }
}
