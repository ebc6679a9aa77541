// Elementwise ops of the MLP and the residual stream (Activations.java), and the buffer operations
// that fault injection and poison mode use. Global size: n.

// silu(x) = x / (1 + exp(-x)), exp in float64 cast to float32 (as Java's (float) Math.exp), rounded once.
__kernel void silu(__global const float* x, __global float* out) {
    size_t i = get_global_id(0);
    float v = x[i];
    float e = (float) exp((double) (-v));
    out[i] = round_dtype(v / (1.0f + e));
}

__kernel void multiply(__global const float* a, __global const float* b, __global float* out) {
    size_t i = get_global_id(0);
    out[i] = round_dtype(a[i] * b[i]);
}

__kernel void add(__global const float* a, __global const float* b, __global float* out) {
    size_t i = get_global_id(0);
    out[i] = round_dtype(a[i] + b[i]);
}

// (float) (x * factor) with the product in float64, then rounded to the model dtype; elements first ..
// first + global size (first > 0: the last token's row).
__kernel void scale(__global float* buffer, int first, double factor) {
    size_t i = first + get_global_id(0);
    buffer[i] = round_dtype((float) ((double) buffer[i] * factor));
}

// Bits of a float that is exactly a half value (it was rounded to float16), and back.
inline uint half_bits_of(float v) {
    uint u = as_uint(v);
    uint sign = (u >> 16) & 0x8000u;
    uint a = u & 0x7fffffffu;
    if (a >= 0x7f800000u) {
        return sign | 0x7c00u;
    }
    if (a >= 0x38800000u) {
        return sign | ((((a >> 23) - 112u) << 10) | ((a >> 13) & 0x3ffu));
    }
    return sign | (uint) (as_float(a) * 0x1p24f);
}

inline float half_bits_to_float(uint b) {
    uint sign = (b & 0x8000u) << 16;
    uint e = (b >> 10) & 0x1fu;
    uint m = b & 0x3ffu;
    if (e == 0u) {
        return as_float(sign | as_uint((float) m * 0x1p-24f));
    }
    if (e == 31u) {
        return as_float(sign | 0x7f800000u | (m << 13));
    }
    return as_float(sign | ((e + 112u) << 23) | (m << 13));
}

// The successor of a 16-bit float's bits in sign-magnitude order (f16 and bf16 share the scheme).
inline uint next_up_half_bits(uint b) {
    if (b == 0x8000u || b == 0u) {
        return 1u;
    }
    return (b & 0x8000u) == 0u ? b + 1u : b - 1u;
}

// One unit in the last place of the model dtype toward +infinity (NaN and +infinity stay), elements
// first .. first + global size.
__kernel void perturb_ulp(__global float* buffer, int first) {
    size_t i = first + get_global_id(0);
    float v = buffer[i];
    if (isnan(v) || v == INFINITY) {
        return;
    }
#if MODEL_DTYPE == 1
    buffer[i] = half_bits_to_float(next_up_half_bits(half_bits_of(v)));
#elif MODEL_DTYPE == 2
    buffer[i] = as_float(next_up_half_bits(as_uint(v) >> 16) << 16);
#else
    buffer[i] = nextafter(v, INFINITY);
#endif
}
