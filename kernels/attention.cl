// Eager causal attention in the two recorded halves of Attention.java. Query head h reads key/value
// head h / (heads / kv_heads), or h % kv_heads under the gqa-modulo fault.
inline int kv_head_of(int h, int heads, int kv_heads, int kv_modulo) {
    return kv_modulo ? h % kv_heads : h / (heads / kv_heads);
}

// probs[h, t, s]: scores fma(q, k) in float32, rounded, times scale, rounded; softmax over s <= t
// (s <= t + lookahead under the causal-off-by-one fault; every s without the causal mask) as exp(s - max) * (1 / sum) in float32, rounded; masked entries 0.
// One work-item per (t, h), sequential over s. Global size: (tokens, heads).
__kernel void attention_probs(__global const float* q, __global const float* k, int tokens, int heads,
        int kv_heads, int head_dim, int causal, int lookahead, float scale, int kv_modulo, __global float* probs) {
    int t = get_global_id(0);
    int h = get_global_id(1);
    int kvh = kv_head_of(h, heads, kv_heads, kv_modulo);
    size_t row = ((size_t) h * tokens + t) * tokens;
    int last = causal ? min(t + lookahead, tokens - 1) : tokens - 1;
    size_t qo = (size_t) t * heads * head_dim + (size_t) h * head_dim;
    float max_score = -INFINITY;
    for (int s = 0; s <= last; s++) {
        size_t ko = (size_t) s * kv_heads * head_dim + (size_t) kvh * head_dim;
        float dot = 0.0f;
        for (int d = 0; d < head_dim; d++) {
            dot = fma(q[qo + d], k[ko + d], dot);
        }
        float score = round_dtype(round_dtype(dot) * scale);
        probs[row + s] = score;
        max_score = java_max(max_score, score);
    }
    float sum = 0.0f;
    for (int s = 0; s <= last; s++) {
        float e = (float) exp((double) (probs[row + s] - max_score));
        probs[row + s] = e;
        sum += e;
    }
    float inv = 1.0f / sum;
    for (int s = 0; s <= last; s++) {
        probs[row + s] = round_dtype(probs[row + s] * inv);
    }
    for (int s = last + 1; s < tokens; s++) {
        probs[row + s] = 0.0f;
    }
}

// ctx[t, h*D + d] = sum over every s of probs[h, t, s] * v[s, kvh, d] (fma chain from 0), rounded once.
// Global size: (head_dim, heads, tokens).
__kernel void attention_context(__global const float* probs, __global const float* v, int tokens, int heads,
        int kv_heads, int head_dim, int kv_modulo, __global float* ctx) {
    int d = get_global_id(0);
    int h = get_global_id(1);
    int t = get_global_id(2);
    int kvh = kv_head_of(h, heads, kv_heads, kv_modulo);
    size_t row = ((size_t) h * tokens + t) * tokens;
    size_t v_stride = (size_t) kv_heads * head_dim;
    float acc = 0.0f;
    for (int s = 0; s < tokens; s++) {
        acc = fma(probs[row + s], v[(size_t) s * v_stride + (size_t) kvh * head_dim + d], acc);
    }
    ctx[(size_t) t * heads * head_dim + (size_t) h * head_dim + d] = round_dtype(acc);
}
