// Shared by every kernel file (prepended when the program is built).
// Arithmetic is float32; MODEL_DTYPE (a build option: 0 float32, 1 float16, 2 bfloat16) says where
// results are rounded, at the same points as the CPU engine (engine/kernels/Precision.java).
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
// Java never fuses a*b+c; neither may the kernels (fma() is used where the CPU engine uses Math.fma).
#pragma OPENCL FP_CONTRACT OFF

#define WEIGHT_F32 0
#define WEIGHT_F16 1
#define WEIGHT_BF16 2

// float -> IEEE half -> float, round to nearest even (Float.floatToFloat16 then back).
inline float round_f16(float x) {
    uint u = as_uint(x);
    uint sign = u & 0x80000000u;
    uint a = u & 0x7fffffffu;
    if (a >= 0x7f800000u) {
        return x;
    }
    if (a >= 0x477ff000u) {
        return as_float(sign | 0x7f800000u);
    }
    if (a < 0x38800000u) {
        // half subnormals are multiples of 2^-24: scaling by 2^24 and rint are exact but for the rounding
        float r = rint(as_float(a) * 0x1p24f) * 0x1p-24f;
        return as_float(sign | as_uint(r));
    }
    a = a + 0x0fffu + ((a >> 13) & 1u);
    return as_float(sign | (a & 0xffffe000u));
}

// float -> bfloat16 -> float, round to nearest even; NaN stays a quiet NaN (numeric/BFloat16.java).
inline float round_bf16(float x) {
    uint u = as_uint(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) {
        return as_float((u | 0x00400000u) & 0xffff0000u);
    }
    u = u + 0x7fffu + ((u >> 16) & 1u);
    return as_float(u & 0xffff0000u);
}

inline float round_dtype(float x) {
#if MODEL_DTYPE == 1
    return round_f16(x);
#elif MODEL_DTYPE == 2
    return round_bf16(x);
#else
    return x;
#endif
}

// Element i of a weight tensor uploaded in its stored dtype, widened exactly to float.
inline float weight_at(__global const uchar* w, int wdtype, size_t i) {
    if (wdtype == WEIGHT_F16) {
        return vload_half(i, (__global const half*) w);
    }
    if (wdtype == WEIGHT_BF16) {
        return as_float(((uint) ((__global const ushort*) w)[i]) << 16);
    }
    return ((__global const float*) w)[i];
}

// A weight as the model dtype sees it: cast on load when round_w (Precision.roundsWeightsStoredAs).
inline float model_weight(__global const uchar* w, int wdtype, int round_w, size_t i) {
    float v = weight_at(w, wdtype, i);
    return round_w ? round_dtype(v) : v;
}

// Math.max(float, float): NaN if either is NaN.
inline float java_max(float a, float b) {
    return (isnan(a) || isnan(b)) ? NAN : fmax(a, b);
}
