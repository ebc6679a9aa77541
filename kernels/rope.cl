// Rotary embedding, Llama's half-split pairs (i, i + D/2), or interleaved pairs (2i, 2i+1) when the
// rope-interleaved fault asks; token t uses position t + pos_offset from token first_shifted on (0: every
// token; T - 1: the last token only, rope-offset:N@last), else t. Each product and the sum are
// rounded to the model dtype (Rope.apply). Global size: (D/2, heads, tokens).
__kernel void rope(__global const float* x, int heads, int head_dim, __global const float* cos_table,
        __global const float* sin_table, int interleaved, int pos_offset, int first_shifted, __global float* out) {
    int i = get_global_id(0);
    int h = get_global_id(1);
    int t = get_global_id(2);
    int half_dim = head_dim / 2;
    int position = t >= first_shifted ? t + pos_offset : t;
    float c = cos_table[position * half_dim + i];
    float s = sin_table[position * half_dim + i];
    size_t base = ((size_t) t * heads + h) * head_dim;
    size_t a = base + (interleaved ? 2 * i : i);
    size_t b = base + (interleaved ? 2 * i + 1 : half_dim + i);
    float x1 = x[a];
    float x2 = x[b];
    out[a] = round_dtype(round_dtype(x1 * c) + round_dtype(-x2 * s));
    out[b] = round_dtype(round_dtype(x2 * c) + round_dtype(x1 * s));
}
