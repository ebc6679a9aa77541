// out[t, o] = sum_i x[t, i] * W[o, i] (a Linear without bias), W in its stored dtype.
// Each output is the sequential chain acc = fma(W[o, i], x[t, i], acc), i = 0 .. in-1, from 0, then
// rounded once to the model dtype: the same arithmetic as MatMul.linear, whatever the tiling.
// half_accumulate: 0 = float32 accumulator; 1 (f16) or 2 (bf16) = the planted half-accumulation bug.
// Work-group: TILE x TILE (outputs o, tokens t); global size rounded up to multiples of TILE. Weights of
// inputs i >= columns read as 0 (columns < in under the drop-columns fault: an fma with a zero weight leaves
// the chain unchanged).
#define TILE 16

__kernel void linear(__global const float* x, int tokens, int in, int out_features,
        __global const uchar* w, int wdtype, int round_w, int columns, int half_accumulate, __global float* out) {
    __local float ws[TILE][TILE + 1];
    __local float xs[TILE][TILE + 1];
    int lo = get_local_id(0);
    int lt = get_local_id(1);
    int o0 = get_group_id(0) * TILE;
    int t0 = get_group_id(1) * TILE;
    float acc = 0.0f;
    for (int i0 = 0; i0 < in; i0 += TILE) {
        // loads run along i (local id 0) so neighbouring work-items read neighbouring addresses
        int wi = i0 + lo;
        int wo = o0 + lt;
        int xt = t0 + lt;
        // stored transposed, ws[i][o], so that the products below read consecutive outputs o across
        // neighbouring work-items (a vector load on a CPU device, no bank conflicts on a GPU)
        ws[lo][lt] = (wo < out_features && wi < columns)
                ? model_weight(w, wdtype, round_w, (size_t) wo * in + wi) : 0.0f;
        xs[lt][lo] = (xt < tokens && wi < in) ? x[(size_t) xt * in + wi] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        int n = min(TILE, in - i0);
        if (half_accumulate == WEIGHT_F16) {
            // planted bug class: the accumulator is a half (f16, or bf16 below)
            for (int j = 0; j < n; j++) {
                acc = round_f16(fma(ws[j][lo], xs[lt][j], acc));
            }
        } else if (half_accumulate == WEIGHT_BF16) {
            for (int j = 0; j < n; j++) {
                acc = round_bf16(fma(ws[j][lo], xs[lt][j], acc));
            }
        } else {
            for (int j = 0; j < n; j++) {
                acc = fma(ws[j][lo], xs[lt][j], acc);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    int o = o0 + lo;
    int t = t0 + lt;
    if (o < out_features && t < tokens) {
        out[(size_t) t * out_features + o] = round_dtype(acc);
    }
}

// Planted bug class: the same product split over chunks of `chunk` inputs whose float partial sums
// are added into out with atomics, in whatever order the work-groups arrive. out must be zeroed first;
// linear_atomic_round then rounds to the model dtype. Global size: (chunks, out_features, tokens) in
// work-groups of one, so the chunks of one output are separate work-groups that race. A device that
// runs work-groups one after the other in index order (PoCL on a busy CPU) would not race, so work-group
// g takes chunk (g + first_chunk) % chunks with first_chunk drawn per launch: the arrival order changes
// from run to run on every device, as it does on a GPU.
inline void atomic_add_float(volatile __global float* p, float v) {
    volatile __global uint* bits = (volatile __global uint*) p;
    uint old = *bits;
    uint seen;
    do {
        seen = old;
        old = atomic_cmpxchg(bits, seen, as_uint(as_float(seen) + v));
    } while (old != seen);
}

__kernel void linear_atomic(__global const float* x, int tokens, int in, int out_features, int chunk,
        int first_chunk, __global const uchar* w, int wdtype, int round_w, volatile __global float* out) {
    int chunks = (in + chunk - 1) / chunk;
    int i0 = ((get_global_id(0) + first_chunk) % chunks) * chunk;
    int o = get_global_id(1);
    int t = get_global_id(2);
    int i1 = min(in, i0 + chunk);
    float acc = 0.0f;
    for (int i = i0; i < i1; i++) {
        acc = fma(model_weight(w, wdtype, round_w, (size_t) o * in + i), x[(size_t) t * in + i], acc);
    }
    atomic_add_float(&out[(size_t) t * out_features + o], acc);
}

__kernel void linear_atomic_round(__global float* out) {
    size_t i = get_global_id(0);
    out[i] = round_dtype(out[i]);
}
