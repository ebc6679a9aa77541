/*
 * An engine-like program for CTraceCompatibilityIT: records tensors covering f32/f16/bf16/f64, NaN,
 * +-Infinity, -0, subnormals, signalling NaNs, odd sizes and multi-row shapes with layerwise_trace.h,
 * and writes every tensor's raw bytes (in step order, host byte order) to RAW so that Java can record
 * the same values with its StepAccumulator. The last step, "top_k_logits", is also passed to
 * layerwise_trace_top_k (ties, -0 and +0, NaN, infinities) for Java's TopK to check.
 *
 *     engine_like OUT.json RAW.bin [SKETCH_K SKETCH_SEED]
 *
 * With SKETCH_K and SKETCH_SEED the trace is opened with layerwise_trace_open_with_sketch and the top_k
 * logits are recorded as bfloat16; without them, the default sketch (16, 0) and float32.
 */
#define LAYERWISE_TRACE_IMPLEMENTATION
#include "layerwise_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 42;

static uint64_t next_random(void) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Random sign and mantissa, exponent 2^-27 .. 2^23: sums whose value depends on the order of additions. */
static float random_float(void) {
    uint64_t r = next_random();
    uint32_t bits = (uint32_t)(r & 0x807fffffu) | ((uint32_t)(100 + (r >> 40) % 51) << 23);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static float float_bits(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static FILE *raw;
static layerwise_trace *trace;

static void record(const char *name, int dtype, const int64_t *shape, size_t ndim, const void *data, size_t bytes) {
    if (layerwise_trace_record(trace, name, dtype, shape, ndim, data) != 0) {
        fprintf(stderr, "%s\n", layerwise_trace_error(trace));
        exit(1);
    }
    if (bytes > 0 && fwrite(data, 1, bytes, raw) != bytes) {
        fprintf(stderr, "cannot write the raw tensors\n");
        exit(1);
    }
}

static void record_random_f32(const char *name, const int64_t *shape, size_t ndim) {
    size_t n = 1, i, a;
    float *v;
    for (a = 0; a < ndim; a++) {
        n *= (size_t)shape[a];
    }
    v = (float *)malloc(n * sizeof *v + 1);
    for (i = 0; i < n; i++) {
        v[i] = random_float();
    }
    record(name, LAYERWISE_F32, shape, ndim, v, n * sizeof *v);
    free(v);
}

int main(int argc, char **argv) {
    static const int32_t tokens[] = {1, 415, 2936, 9060, 285, 1142};
    int64_t s1[] = {1}, s7[] = {7}, s17[] = {17}, s5x13[] = {5, 13}, big[] = {3, 333335}, s2x3x11[] = {2, 3, 11};
    int64_t s4x9[] = {4, 9}, s2x5[] = {2, 5}, s9[] = {9}, s3[] = {3}, s4[] = {4}, s0x4[] = {0, 4}, s3x0[] = {3, 0};
    int64_t halves[] = {64, 1024}, bhalves[] = {256, 256}, s7x3[] = {7, 3}, bbig[] = {1, 1000003}, s3x5[] = {3, 5};
    float specials[36], infinities[10], one_inf[9], zeros[3], nans[4];
    uint16_t *h;
    double f64[15];
    float logits[37];
    uint16_t logits_bf16[37];
    int64_t s37[] = {37};
    char err[512];
    int i, custom_sketch = argc == 5;
    if (argc != 3 && argc != 5) {
        fprintf(stderr, "usage: engine_like OUT.json RAW.bin [SKETCH_K SKETCH_SEED]\n");
        return 2;
    }
    raw = fopen(argv[2], "wb");
    if (raw == NULL) {
        fprintf(stderr, "cannot create %s\n", argv[2]);
        return 1;
    }
    if (custom_sketch) {
        trace = layerwise_trace_open_with_sketch(argv[1], "engine-like \"C\" test", "1.0", LAYERWISE_F32, tokens, 6,
                                                 "{\"hidden_size\": 8}", 1, atoi(argv[3]), strtoll(argv[4], NULL, 10));
    } else {
        trace = layerwise_trace_open(argv[1], "engine-like \"C\" test", "1.0", LAYERWISE_F32, tokens, 6,
                                     "{\"hidden_size\": 8}", 1);
    }
    if (trace == NULL) {
        return 1;
    }
    record_random_f32("one", s1, 1);
    record_random_f32("seven", s7, 1);
    record_random_f32("odd17", s17, 1);
    record_random_f32("rows", s5x13, 2);
    record_random_f32("three_axes", s2x3x11, 3);
    record_random_f32("big", big, 2);

    for (i = 0; i < 36; i++) {
        specials[i] = random_float();
    }
    specials[2] = float_bits(0x7fc00000u);  /* NaN */
    specials[3] = float_bits(0xffc00001u);  /* negative NaN with a payload */
    specials[5] = float_bits(0x7f800000u);  /* +Infinity */
    specials[8] = float_bits(0xff800000u);  /* -Infinity */
    specials[9] = float_bits(0x80000000u);  /* -0 */
    specials[10] = 0.0f;
    specials[11] = float_bits(0x00000001u); /* smallest subnormal */
    specials[12] = float_bits(0x807fffffu); /* largest negative subnormal */
    specials[13] = float_bits(0x7f7fffffu); /* largest float */
    specials[14] = float_bits(0xff7fffffu);
    specials[20] = float_bits(0x7f800001u); /* signalling NaN */
    record("specials", LAYERWISE_F32, s4x9, 2, specials, sizeof specials);

    for (i = 0; i < 10; i++) {
        infinities[i] = random_float();
    }
    infinities[1] = float_bits(0x7f800000u);
    infinities[6] = float_bits(0xff800000u);
    record("both_infinities", LAYERWISE_F32, s2x5, 2, infinities, sizeof infinities);
    for (i = 0; i < 9; i++) {
        one_inf[i] = random_float();
    }
    one_inf[4] = float_bits(0x7f800000u);
    record("one_infinity", LAYERWISE_F32, s9, 1, one_inf, sizeof one_inf);
    zeros[0] = float_bits(0x80000000u);
    zeros[1] = 0.0f;
    zeros[2] = 1.0f;
    record("negative_zero_first", LAYERWISE_F32, s3, 1, zeros, sizeof zeros);
    for (i = 0; i < 4; i++) {
        nans[i] = float_bits(0x7fc00000u + (uint32_t)i);
    }
    record("all_nan", LAYERWISE_F32, s4, 1, nans, sizeof nans);
    record("no_rows", LAYERWISE_F32, s0x4, 2, nans, 0);
    record("empty_rows", LAYERWISE_F32, s3x0, 2, nans, 0);

    h = (uint16_t *)malloc(1000003 * sizeof *h);
    for (i = 0; i < 65536; i++) {
        h[i] = (uint16_t)i; /* every binary16: subnormals, infinities, quiet and signalling NaNs */
    }
    record("f16_every_value", LAYERWISE_F16, halves, 2, h, 65536 * sizeof *h);
    record("bf16_every_value", LAYERWISE_BF16, bhalves, 2, h, 65536 * sizeof *h);
    for (i = 0; i < 21; i++) {
        h[i] = (uint16_t)(next_random() & 0xfbffu); /* no NaN or infinity */
    }
    record("f16_rows", LAYERWISE_F16, s7x3, 2, h, 21 * sizeof *h);
    for (i = 0; i < 1000003; i++) {
        h[i] = (uint16_t)(next_random() >> 48) & 0xbfffu; /* exponent below 2^1: finite */
    }
    record("bf16_big", LAYERWISE_BF16, bbig, 2, h, 1000003 * sizeof *h);
    free(h);

    for (i = 0; i < 15; i++) {
        f64[i] = (double)random_float() * 1e10;
    }
    f64[4] = 1e200; /* its square overflows: sum_sq is Infinity, the other sums stay finite */
    f64[7] = -0.0;
    f64[11] = 4.9e-324;
    record("f64", LAYERWISE_F64, s3x5, 2, f64, sizeof f64);

    /* logits with a three-way tie for first place, ties further down, -0 and +0, NaN and infinities */
    for (i = 0; i < 37; i++) {
        logits[i] = -(float)(next_random() % 8 + 1) * 0.25f; /* negative, with many ties */
    }
    logits[3] = logits[17] = logits[30] = 2.25f;
    logits[5] = float_bits(0x7fc00000u);
    logits[6] = float_bits(0x80000000u);
    logits[7] = 0.0f;
    logits[8] = float_bits(0xff800000u);
    logits[12] = float_bits(0x7f800000u);
    for (i = 0; i < 37; i++) {
        uint32_t bits;
        memcpy(&bits, &logits[i], sizeof bits);
        logits_bf16[i] = (uint16_t)(bits >> 16); /* every value above is exact in bfloat16 */
    }
    if (custom_sketch) {
        record("top_k_logits", LAYERWISE_BF16, s37, 1, logits_bf16, sizeof logits_bf16);
        i = layerwise_trace_top_k(trace, LAYERWISE_BF16, logits_bf16, 37, 10);
    } else {
        record("top_k_logits", LAYERWISE_F32, s37, 1, logits, sizeof logits);
        i = layerwise_trace_top_k(trace, LAYERWISE_F32, logits, 37, 10);
    }
    if (i != 0) {
        fprintf(stderr, "%s\n", layerwise_trace_error(trace));
        return 1;
    }

    if (fclose(raw) != 0) {
        fprintf(stderr, "cannot write %s\n", argv[2]);
        return 1;
    }
    if (layerwise_trace_close(trace, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    return 0;
}
