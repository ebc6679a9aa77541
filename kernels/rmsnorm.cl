// RMSNorm as RmsNorm.apply(float[]...): x*x in float32 summed sequentially in float64, the variance
// and 1/sqrt in float32, then round(w * round(x * r)). One work-group per row: work-item 0 computes
// the row's r (fixed order), every work-item writes a strided part of the row. The mean of squares is the
// sum over mean_over (cols; cols - 1 under the norm-h-minus-1 fault).
__kernel void rms_norm(__global const float* x, int cols, __global const uchar* w, int wdtype, int round_w,
        int mean_over, float eps, __global float* out) {
    __local float r_shared;
    size_t base = (size_t) get_group_id(0) * cols;
    if (get_local_id(0) == 0) {
        double sum_squares = 0.0;
        for (int i = 0; i < cols; i++) {
            float v = x[base + i];
            float sq = v * v;
            sum_squares += (double) sq;
        }
        float variance = (float) (sum_squares / (double) mean_over);
        r_shared = 1.0f / (float) sqrt((double) (variance + eps));
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    float r = r_shared;
    for (int i = get_local_id(0); i < cols; i += get_local_size(0)) {
        float wv = model_weight(w, wdtype, round_w, i);
        out[base + i] = round_dtype(wv * round_dtype(x[base + i] * r));
    }
}
