// out[t, i] = table[tokens[t], i] in the model dtype. Global size: (hidden, tokens).
__kernel void embed(__global const uchar* table, int wdtype, int round_w, int hidden,
        __global const int* tokens, __global float* out) {
    size_t i = get_global_id(0);
    size_t t = get_global_id(1);
    out[t * hidden + i] = model_weight(table, wdtype, round_w, (size_t) tokens[t] * hidden + i);
}
