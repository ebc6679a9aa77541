/*
 * layerwise_trace.h: write Layerwise trace-format v1 from C, C++, Rust, Swift or Zig.
 *
 * A single header, C99, libc only. In exactly one C or C++ file:
 *
 *     #define LAYERWISE_TRACE_IMPLEMENTATION
 *     #include "layerwise_trace.h"
 *
 * and include it plainly everywhere else. Every step's statistics, row sums, sketch and SHA-256 are
 * bit-identical to Java's dev.layerwise.trace.StepAccumulator (docs/trace-format.md, "Statistics"):
 * float64 sums kept as 8 lanes by flat index, reduced in a fixed tree. Usage:
 *
 *     layerwise_trace *t = layerwise_trace_open("trace.json", "my-engine", "0.1", LAYERWISE_F32,
 *                                               tokens, n_tokens, NULL, 0);
 *     int64_t shape[2] = {n_tokens, hidden};
 *     layerwise_trace_record(t, "embed", LAYERWISE_F32, shape, 2, embed_values);
 *     ...
 *     layerwise_trace_top_k(t, LAYERWISE_F32, last_row_logits, vocab, 10);   (optional)
 *     char err[512];
 *     if (layerwise_trace_close(t, err, sizeof err) != 0) fprintf(stderr, "%s\n", err);
 *
 * The sketch is trace-format v1's default, 16 Rademacher rows from SplitMix64 with seed 0 (what every
 * Layerwise producer writes), unless the trace is opened with layerwise_trace_open_with_sketch. Its
 * sign table costs k/8 bytes per value of the largest step, kept for the handle's lifetime.
 *
 * The trace is written to a temporary file next to PATH as steps are recorded and renamed to PATH by
 * layerwise_trace_close; after any error PATH is left as it was. A handle is not thread-safe.
 *
 * Floating point: the sums must be computed exactly in the order given, so the implementation refuses
 * -ffast-math and turns off floating-point contraction (FMA) for its own code; it needs
 * FLT_EVAL_METHOD 0 (SSE2 on x86, any 64-bit target).
 */
#ifndef LAYERWISE_TRACE_H
#define LAYERWISE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Data types of steps and of the data passed to layerwise_trace_record. */
enum layerwise_dtype {
    LAYERWISE_F32 = 0,  /* float (IEEE binary32) values */
    LAYERWISE_F16 = 1,  /* uint16_t: raw IEEE binary16 bits */
    LAYERWISE_BF16 = 2, /* uint16_t: raw bfloat16 bits (the high half of a binary32) */
    LAYERWISE_F64 = 3   /* double values */
};

typedef struct layerwise_trace layerwise_trace;

/*
 * Starts a trace at PATH. producer_name/producer_version name your engine; dtype is the trace's
 * compute dtype (a layerwise_dtype); token_ids are the prompt's n_tokens ids; model_config_json is
 * NULL or a JSON object (your model's config.json text) stored as model.config. An existing PATH is
 * replaced only when force is non-zero. Returns NULL only when out of memory; any other failure is
 * reported by layerwise_trace_record and layerwise_trace_close.
 */
layerwise_trace *layerwise_trace_open(const char *path, const char *producer_name, const char *producer_version,
                                      int dtype, const int32_t *token_ids, size_t n_tokens,
                                      const char *model_config_json, int force);

/*
 * layerwise_trace_open with another sketch: sketch_k rows (1 .. 4096) of Rademacher signs from SplitMix64
 * seeded with sketch_seed (any 64-bit value; Java's long). Two traces are compared by sketch only when
 * both have the same k and seed.
 */
layerwise_trace *layerwise_trace_open_with_sketch(const char *path, const char *producer_name,
                                                  const char *producer_version, int dtype, const int32_t *token_ids,
                                                  size_t n_tokens, const char *model_config_json, int force,
                                                  int sketch_k, int64_t sketch_seed);

/*
 * Records one step: its name (a canonical step name such as "layers.0.q"), the dtype of DATA, the
 * shape (ndim >= 1 axes; the first axis is the row axis, usually tokens) and the values in row-major
 * order. Returns 0, or -1 after an error (see layerwise_trace_error); after an error the trace will not
 * be written.
 */
int layerwise_trace_record(layerwise_trace *t, const char *name, int dtype, const int64_t *shape, size_t ndim,
                           const void *data);

/*
 * The trace's top_k block: the k largest of the vocab logits in DATA (a layerwise_dtype; usually the last
 * position's row of the logits), largest first, equal logits by the lower token id, NaN skipped, -0 below +0
 * (Java's TopK). At most once per trace; k = 10 is what Layerwise's own engines write. Returns 0 or -1.
 */
int layerwise_trace_top_k(layerwise_trace *t, int dtype, const void *data, size_t vocab, size_t k);

/* The first error's message (one line), or "" when there was none. */
const char *layerwise_trace_error(const layerwise_trace *t);

/*
 * Finishes the trace, renames it to PATH and frees the handle. Returns 0, or -1 with the error's
 * message copied to err (when err is not NULL); then nothing was written to PATH.
 */
int layerwise_trace_close(layerwise_trace *t, char *err, size_t err_len);

/* Frees the handle and deletes the temporary file; PATH is left as it was. */
void layerwise_trace_discard(layerwise_trace *t);

#ifdef __cplusplus
}
#endif

#endif /* LAYERWISE_TRACE_H */

#ifdef LAYERWISE_TRACE_IMPLEMENTATION
#ifndef LAYERWISE_TRACE_IMPLEMENTED
#define LAYERWISE_TRACE_IMPLEMENTED

#include <float.h>
#include <math.h> /* INFINITY, NAN, isfinite, signbit and fabs (a compiler builtin): no libm needed */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__FAST_MATH__)
#error "layerwise_trace.h: the implementation must not be compiled with -ffast-math (its sums would not match Java's)"
#endif
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0 && FLT_EVAL_METHOD != -1
#error "layerwise_trace.h: needs FLT_EVAL_METHOD 0 (e.g. -msse2 -mfpmath=sse on 32-bit x86)"
#endif

/* x * x + acc must round twice, as in Java: no fused multiply-add for this code. */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#elif defined(_MSC_VER)
#pragma fp_contract(off)
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define LWT_LANES 8
#define LWT_DEFAULT_K 16
#define LWT_MAX_K 4096
#define LWT_GOLDEN 0x9E3779B97F4A7C15ULL
#define LWT_BUFFER 4096

/* ---- SHA-256 (FIPS 180-4) ---------------------------------------------------------------------- */

typedef struct {
    uint32_t h[8];
    uint64_t length;
    unsigned char block[64];
    size_t used;
} lwt_sha256;

static const uint32_t lwt_sha_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

static uint32_t lwt_rotr(uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

static void lwt_sha_init(lwt_sha256 *s) {
    static const uint32_t h0[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(s->h, h0, sizeof h0);
    s->length = 0;
    s->used = 0;
}

static void lwt_sha_compress(lwt_sha256 *s, const unsigned char *p) {
    uint32_t w[64], a, b, c, d, e, f, g, h;
    int i;
    for (i = 0; i < 16; i++) {
        w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) | ((uint32_t)p[4 * i + 2] << 8)
               | (uint32_t)p[4 * i + 3];
    }
    for (i = 16; i < 64; i++) {
        uint32_t s0 = lwt_rotr(w[i - 15], 7) ^ lwt_rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = lwt_rotr(w[i - 2], 17) ^ lwt_rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
    e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
    for (i = 0; i < 64; i++) {
        uint32_t t1 = h + (lwt_rotr(e, 6) ^ lwt_rotr(e, 11) ^ lwt_rotr(e, 25)) + ((e & f) ^ (~e & g)) + lwt_sha_k[i]
                      + w[i];
        uint32_t t2 = (lwt_rotr(a, 2) ^ lwt_rotr(a, 13) ^ lwt_rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
    s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void lwt_sha_update(lwt_sha256 *s, const unsigned char *p, size_t n) {
    s->length += n;
    if (s->used > 0) {
        size_t take = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->block + s->used, p, take);
        s->used += take;
        p += take;
        n -= take;
        if (s->used < 64) {
            return;
        }
        lwt_sha_compress(s, s->block);
        s->used = 0;
    }
    for (; n >= 64; p += 64, n -= 64) {
        lwt_sha_compress(s, p);
    }
    memcpy(s->block, p, n);
    s->used = n;
}

static void lwt_sha_hex(lwt_sha256 *s, char out[65]) {
    static const char hex[] = "0123456789abcdef";
    uint64_t bits = s->length * 8;
    unsigned char pad[72];
    size_t padLength = (s->used < 56 ? 56 : 120) - s->used;
    int i;
    memset(pad, 0, sizeof pad);
    pad[0] = 0x80;
    for (i = 0; i < 8; i++) {
        pad[padLength + i] = (unsigned char)(bits >> (56 - 8 * i));
    }
    lwt_sha_update(s, pad, padLength + 8);
    for (i = 0; i < 32; i++) {
        unsigned char byte = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
        out[2 * i] = hex[byte >> 4];
        out[2 * i + 1] = hex[byte & 15];
    }
    out[64] = '\0';
}

/* ---- the trace ----------------------------------------------------------------------------------- */

struct layerwise_trace {
    FILE *file;
    char *path;
    char *temp_path;
    int force;
    int steps;
    char error[512];
    int k;            /* sketch rows */
    int64_t seed;     /* sketch seed */
    uint64_t *bases;  /* k SplitMix64 bases, one per sketch row */
    /* sign bits: word w of sketch row j (elements 64w .. 64w+63) at signs[w * k + j] */
    uint64_t *signs;
    size_t sign_words;
    /* per-step scratch for k rows: 8 lane sums each, counts of +Infinity and -Infinity terms, results */
    double *sketch_lanes;
    uint64_t *positive, *negative;
    double *sketch;
    /* the top_k block (n_top entries; has_top once layerwise_trace_top_k was called) */
    int32_t *top_ids;
    double *top_logits;
    size_t n_top;
    int has_top;
    unsigned char bytes[LWT_BUFFER * 8];
    double values[LWT_BUFFER];
};

/* The running statistics of one step; every sum is 8 lanes by flat index (docs/trace-format.md). */
typedef struct {
    double sum[LWT_LANES], abs_sum[LWT_LANES], sum_sq[LWT_LANES], finite[LWT_LANES];
    double row[LWT_LANES], row_sq[LWT_LANES];
    double *sketch;              /* k rows of LWT_LANES lane sums: t->sketch_lanes */
    double min, max;
    uint64_t nan, pos_inf, neg_inf, zeros;
    uint64_t *positive, *negative; /* k counts each: t->positive, t->negative */
} lwt_state;

static uint64_t lwt_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int lwt_fail(layerwise_trace *t, const char *message, const char *detail) {
    if (t->error[0] == '\0') {
        sprintf(t->error, "%.200s: %.150s%.150s", t->path, message, detail);
    }
    return -1;
}

static int lwt_little_endian(void) {
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

/* JSON-escaped string (or null). */
static void lwt_string(FILE *f, const char *s) {
    if (s == NULL) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
        } else if (c < 0x20) {
            fprintf(f, "\\u%04x", c);
        } else {
            fputc(c, f);
        }
    }
    fputc('"', f);
}

/* A double that reads back to the same bits: "%.17g" made locale-proof and always a JSON float. */
static void lwt_number(FILE *f, double x) {
    char text[40];
    char *p;
    int fraction = 0;
    if (x != x) {
        fputs("\"NaN\"", f);
        return;
    }
    if (isinf(x)) {
        fputs(x > 0 ? "\"Infinity\"" : "\"-Infinity\"", f);
        return;
    }
    sprintf(text, "%.17g", x);
    for (p = text; *p; p++) {
        if (*p == 'e' || *p == 'E') {
            fraction = 1;
        } else if (!(*p >= '0' && *p <= '9') && *p != '-' && *p != '+') {
            *p = '.'; /* the decimal point of any locale */
            fraction = 1;
        }
    }
    fputs(text, f);
    if (!fraction) {
        fputs(".0", f); /* "-0" would read back as the integer 0 */
    }
}

static void lwt_numbers(FILE *f, const double *v, size_t n) {
    size_t i;
    fputc('[', f);
    for (i = 0; i < n; i++) {
        if (i > 0) {
            fputs(", ", f);
        }
        lwt_number(f, v[i]);
    }
    fputc(']', f);
}

static const char *lwt_dtype_name(int dtype) {
    switch (dtype) {
    case LAYERWISE_F32: return "float32";
    case LAYERWISE_F16: return "float16";
    case LAYERWISE_BF16: return "bfloat16";
    case LAYERWISE_F64: return "float64";
    default: return NULL;
    }
}

layerwise_trace *layerwise_trace_open(const char *path, const char *producer_name, const char *producer_version,
                                      int dtype, const int32_t *token_ids, size_t n_tokens,
                                      const char *model_config_json, int force) {
    return layerwise_trace_open_with_sketch(path, producer_name, producer_version, dtype, token_ids, n_tokens,
                                            model_config_json, force, LWT_DEFAULT_K, 0);
}

layerwise_trace *layerwise_trace_open_with_sketch(const char *path, const char *producer_name,
                                                  const char *producer_version, int dtype, const int32_t *token_ids,
                                                  size_t n_tokens, const char *model_config_json, int force,
                                                  int sketch_k, int64_t sketch_seed) {
    layerwise_trace *t = (layerwise_trace *)calloc(1, sizeof *t);
    FILE *existing;
    size_t i, k;
    int j;
    if (t == NULL) {
        return NULL;
    }
    t->force = force;
    t->k = sketch_k;
    t->seed = sketch_seed;
    k = sketch_k >= 1 && sketch_k <= LWT_MAX_K ? (size_t)sketch_k : 1;
    t->path = (char *)malloc(strlen(path == NULL ? "" : path) + 1);
    t->temp_path = (char *)malloc(strlen(path == NULL ? "" : path) + 40);
    t->bases = (uint64_t *)malloc(k * sizeof *t->bases);
    t->sketch_lanes = (double *)malloc(k * LWT_LANES * sizeof *t->sketch_lanes);
    t->positive = (uint64_t *)malloc(k * sizeof *t->positive);
    t->negative = (uint64_t *)malloc(k * sizeof *t->negative);
    t->sketch = (double *)malloc(k * sizeof *t->sketch);
    if (t->path == NULL || t->temp_path == NULL || t->bases == NULL || t->sketch_lanes == NULL
        || t->positive == NULL || t->negative == NULL || t->sketch == NULL) {
        layerwise_trace_discard(t);
        return NULL;
    }
    strcpy(t->path, path == NULL ? "" : path);
    if (path == NULL || path[0] == '\0') {
        lwt_fail(t, "no output path given", "");
        return t;
    }
    if (sketch_k < 1 || sketch_k > LWT_MAX_K) {
        lwt_fail(t, "sketch k: not in 1 .. 4096", "");
        return t;
    }
    for (j = 0; j < sketch_k; j++) {
        t->bases[j] = lwt_mix64((uint64_t)sketch_seed + (uint64_t)(j + 1) * LWT_GOLDEN);
    }
    if (lwt_dtype_name(dtype) == NULL) {
        lwt_fail(t, "trace dtype: not one of LAYERWISE_F32, _F16, _BF16, _F64", "");
        return t;
    }
    if (!force && (existing = fopen(path, "rb")) != NULL) {
        fclose(existing);
        lwt_fail(t, "exists; not replaced (open the trace with force = 1 to replace it)", "");
        return t;
    }
    /* unique enough within one process (the handle's address); rename() makes the result atomic */
    sprintf(t->temp_path, "%s.%lx.tmp", path, (unsigned long)((uintptr_t)t & 0xffffffffu));
    t->file = fopen(t->temp_path, "wb");
    if (t->file == NULL) {
        lwt_fail(t, "cannot create the temporary file ", t->temp_path);
        return t;
    }
    fputs("{\n  \"format\": \"layerwise-trace\",\n  \"version\": 1,\n  \"producer\": {\"name\": ", t->file);
    lwt_string(t->file, producer_name);
    fputs(", \"version\": ", t->file);
    lwt_string(t->file, producer_version);
    fputs(", \"device\": \"cpu\", \"attn_implementation\": null, \"extra\": {\"writer\": \"layerwise_trace.h\"}},\n",
          t->file);
    fputs("  \"model\": {\"architecture\": null, \"config\": ", t->file);
    fputs(model_config_json == NULL ? "null" : model_config_json, t->file);
    fputs(", \"source\": null, \"weights_sha256\": null},\n  \"dtype\": ", t->file);
    lwt_string(t->file, lwt_dtype_name(dtype));
    fputs(",\n  \"input\": {\"token_ids\": [", t->file);
    for (i = 0; i < n_tokens; i++) {
        fprintf(t->file, i == 0 ? "%ld" : ", %ld", (long)token_ids[i]); /* int32_t fits a long */
    }
    fprintf(t->file, "], \"text\": null},\n  \"sketch\": {\"kind\": \"rademacher-splitmix64\", \"k\": %d, "
                     "\"seed\": %lld},\n  \"steps\": [",
            t->k, (long long)t->seed);
    return t;
}

const char *layerwise_trace_error(const layerwise_trace *t) {
    return t == NULL ? "out of memory" : t->error;
}

/* The sign table covers at least `elements` indices; bit b of word w, row j: r_j(64w + b) = -1. */
static int lwt_grow_signs(layerwise_trace *t, uint64_t elements) {
    uint64_t words = (elements + 63) / 64;
    uint64_t *grown;
    size_t w;
    int j, b;
    if (words <= t->sign_words) {
        return 0;
    }
    if (words < 2 * (uint64_t)t->sign_words) {
        words = 2 * (uint64_t)t->sign_words;
    }
    if (words > (uint64_t)(SIZE_MAX / ((size_t)t->k * sizeof(uint64_t)))) {
        return lwt_fail(t, "tensor too large to sketch", "");
    }
    grown = (uint64_t *)realloc(t->signs, (size_t)words * (size_t)t->k * sizeof(uint64_t));
    if (grown == NULL) {
        return lwt_fail(t, "out of memory for the sketch signs", "");
    }
    for (w = t->sign_words; w < (size_t)words; w++) {
        for (j = 0; j < t->k; j++) {
            uint64_t word = 0;
            uint64_t i0 = (uint64_t)w * 64;
            for (b = 0; b < 64; b++) {
                word |= (lwt_mix64(t->bases[j] + (i0 + (uint64_t)b + 1) * LWT_GOLDEN) >> 63) << b;
            }
            grown[w * (size_t)t->k + (size_t)j] = word;
        }
    }
    t->signs = grown;
    t->sign_words = (size_t)words;
    return 0;
}

static float lwt_float_bits(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* binary16 -> binary32, exact. */
static float lwt_half(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1f;
    uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0x1f) {
        return lwt_float_bits(sign | 0x7f800000u | (mantissa << 13));
    }
    if (exponent == 0) {
        float magnitude = (float)mantissa * (1.0f / 16777216.0f); /* mantissa * 2^-24, exact */
        return sign ? -magnitude : magnitude;
    }
    return lwt_float_bits(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

/*
 * The 2-byte value Java hashes for raw bits h: its conversions to float and back keep every value
 * and quiet a signalling NaN (f16: bit 9, bf16: bit 6).
 */
static uint16_t lwt_hashed_half(uint16_t h, int dtype) {
    if (dtype == LAYERWISE_F16) {
        return (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0 ? (uint16_t)(h | 0x200u) : h;
    }
    return (h & 0x7f80u) == 0x7f80u && (h & 0x7fu) != 0 ? (uint16_t)(h | 0x40u) : h;
}

/* Reads n values from data (starting at element `at`) into t->values, and hashes their bytes. */
static void lwt_load(layerwise_trace *t, lwt_sha256 *sha, int dtype, const void *data, uint64_t at, size_t n) {
    size_t p;
    double *v = t->values;
    unsigned char *b = t->bytes;
    int little = lwt_little_endian();
    if (dtype == LAYERWISE_F32) {
        const float *x = (const float *)data + at;
        for (p = 0; p < n; p++) {
            v[p] = x[p];
        }
        if (little) {
            lwt_sha_update(sha, (const unsigned char *)x, n * 4);
            return;
        }
        for (p = 0; p < n; p++) {
            uint32_t bits;
            memcpy(&bits, &x[p], 4);
            b[4 * p] = (unsigned char)bits;
            b[4 * p + 1] = (unsigned char)(bits >> 8);
            b[4 * p + 2] = (unsigned char)(bits >> 16);
            b[4 * p + 3] = (unsigned char)(bits >> 24);
        }
        lwt_sha_update(sha, b, n * 4);
    } else if (dtype == LAYERWISE_F64) {
        const double *x = (const double *)data + at;
        int i;
        memcpy(v, x, n * sizeof(double));
        if (little) {
            lwt_sha_update(sha, (const unsigned char *)x, n * 8);
            return;
        }
        for (p = 0; p < n; p++) {
            uint64_t bits;
            memcpy(&bits, &x[p], 8);
            for (i = 0; i < 8; i++) {
                b[8 * p + (size_t)i] = (unsigned char)(bits >> (8 * i));
            }
        }
        lwt_sha_update(sha, b, n * 8);
    } else {
        const uint16_t *x = (const uint16_t *)data + at;
        for (p = 0; p < n; p++) {
            uint16_t h = lwt_hashed_half(x[p], dtype);
            v[p] = dtype == LAYERWISE_F16 ? lwt_half(h) : lwt_float_bits((uint32_t)h << 16);
            b[2 * p] = (unsigned char)h;
            b[2 * p + 1] = (unsigned char)(h >> 8);
        }
        lwt_sha_update(sha, b, n * 2);
    }
}

/* Adds one value with flat index i (any position, finite or not). */
static void lwt_add_one(const layerwise_trace *t, lwt_state *s, double x, uint64_t i, int *first_zero) {
    const uint64_t *words = t->signs + (size_t)(i >> 6) * (size_t)t->k;
    int shift = (int)(i & 63), l = (int)(i & 7), j;
    double sq = x * x;
    s->sum[l] += x;
    s->abs_sum[l] += fabs(x);
    s->sum_sq[l] += sq;
    s->row[l] += x;
    s->row_sq[l] += sq;
    if (isfinite(x)) {
        s->finite[l] += x;
        for (j = 0; j < t->k; j++) {
            s->sketch[j * LWT_LANES + l] += ((words[j] >> shift) & 1u) ? x : 0.0;
        }
        if (x < s->min) {
            s->min = x;
        }
        if (x > s->max) {
            s->max = x;
        }
        if (x == 0) {
            s->zeros++;
            if (*first_zero == 0) {
                *first_zero = signbit(x) ? -1 : 1;
            }
        }
    } else if (x != x) {
        s->nan++;
    } else {
        if (x > 0) {
            s->pos_inf++;
        } else {
            s->neg_inf++;
        }
        for (j = 0; j < t->k; j++) {
            int negative_sign = (int)((words[j] >> shift) & 1u);
            if ((x > 0) != negative_sign) {
                s->positive[j]++;
            } else {
                s->negative[j]++;
            }
        }
    }
}

/*
 * Adds values v[0 .. n) with flat indices first .. first+n, all in one row: the same additions, lane by
 * lane, as Java's LaneAccumulator. A value's sketch term is x or +0 (Java adds x * bit, x or +-0: the same
 * lane sum, which is never -0). Whole groups of 8 finite values take a path the compiler can vectorize
 * (8 independent lanes, no reassociation).
 */
static void lwt_add(const layerwise_trace *t, lwt_state *s, const double *v, size_t n, uint64_t first,
                    int *first_zero) {
    size_t p = 0;
    int j, l;
    while (p < n && ((first + p) & 7) != 0) {
        lwt_add_one(t, s, v[p], first + p, first_zero);
        p++;
    }
    for (; p + 8 <= n; p += 8) {
        const double *x = v + p;
        uint64_t i = first + p;
        const uint64_t *words = t->signs + (size_t)(i >> 6) * (size_t)t->k;
        int shift = (int)(i & 63), finite = 1, zero = 0;
        uint64_t bits[8];
        for (l = 0; l < 8; l++) {
            finite &= isfinite(x[l]) != 0;
            zero |= x[l] == 0;
        }
        if (!finite || (zero && *first_zero == 0)) {
            for (l = 0; l < 8; l++) {
                lwt_add_one(t, s, x[l], i + (uint64_t)l, first_zero);
            }
            continue;
        }
        for (l = 0; l < 8; l++) {
            double sq = x[l] * x[l];
            s->sum[l] += x[l];
            s->abs_sum[l] += fabs(x[l]);
            s->sum_sq[l] += sq;
            s->row[l] += x[l];
            s->row_sq[l] += sq;
            s->finite[l] += x[l];
            s->min = x[l] < s->min ? x[l] : s->min;
            s->max = x[l] > s->max ? x[l] : s->max;
            s->zeros += x[l] == 0;
        }
        for (l = 0; l < 8; l++) {
            memcpy(&bits[l], &x[l], sizeof bits[l]);
        }
        for (j = 0; j < t->k; j++) {
            uint64_t m = words[j] >> shift;
            double *lanes = s->sketch + j * LWT_LANES;
            for (l = 0; l < 8; l++) {
                uint64_t kept = bits[l] & (0 - ((m >> l) & 1u)); /* x or +0 */
                double term;
                memcpy(&term, &kept, sizeof term);
                lanes[l] += term;
            }
        }
    }
    for (; p < n; p++) {
        lwt_add_one(t, s, v[p], first + p, first_zero);
    }
}

/* ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) */
static double lwt_combine(const double *l) {
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

int layerwise_trace_record(layerwise_trace *t, const char *name, int dtype, const int64_t *shape, size_t ndim,
                           const void *data) {
    lwt_state s;
    lwt_sha256 sha;
    uint64_t count = 1, row_length, rows, i;
    double *row_sums, *row_sum_sq, *sketch = t == NULL ? NULL : t->sketch;
    char hex[65];
    size_t a;
    int j, first_zero = 0;
    if (t == NULL) {
        return -1;
    }
    if (t->error[0] != '\0') {
        return -1;
    }
    if (name == NULL || name[0] == '\0') {
        return lwt_fail(t, "a step needs a name", "");
    }
    if (lwt_dtype_name(dtype) == NULL) {
        return lwt_fail(t, "not one of LAYERWISE_F32, _F16, _BF16, _F64: the dtype of step ", name);
    }
    if (ndim == 0 || shape == NULL) {
        return lwt_fail(t, "a step needs at least one axis: step ", name);
    }
    for (a = 0; a < ndim; a++) {
        if (shape[a] < 0 || (shape[a] > 0 && count > UINT64_MAX / 2 / (uint64_t)shape[a])) {
            return lwt_fail(t, "negative or too large shape: step ", name);
        }
        count *= (uint64_t)shape[a];
    }
    if (count > 0 && data == NULL) {
        return lwt_fail(t, "no data: step ", name);
    }
    rows = (uint64_t)shape[0];
    row_length = rows == 0 ? 1 : count / rows;
    if (lwt_grow_signs(t, count) != 0) {
        return -1;
    }
    row_sums = (double *)calloc(rows == 0 ? 1 : (size_t)rows, sizeof(double));
    row_sum_sq = (double *)calloc(rows == 0 ? 1 : (size_t)rows, sizeof(double));
    if (row_sums == NULL || row_sum_sq == NULL) {
        free(row_sums);
        free(row_sum_sq);
        return lwt_fail(t, "out of memory for the row sums of step ", name);
    }
    memset(&s, 0, sizeof s);
    s.sketch = t->sketch_lanes;
    s.positive = t->positive;
    s.negative = t->negative;
    memset(s.sketch, 0, (size_t)t->k * LWT_LANES * sizeof *s.sketch);
    memset(s.positive, 0, (size_t)t->k * sizeof *s.positive);
    memset(s.negative, 0, (size_t)t->k * sizeof *s.negative);
    s.min = INFINITY;
    s.max = -INFINITY;
    lwt_sha_init(&sha);
    /* in pieces that end at row boundaries and hold at most LWT_BUFFER values */
    for (i = 0; i < count;) {
        uint64_t row = i / row_length;
        uint64_t row_end = (row + 1) * row_length;
        size_t n = row_end - i < LWT_BUFFER ? (size_t)(row_end - i) : LWT_BUFFER;
        lwt_load(t, &sha, dtype, data, i, n);
        lwt_add(t, &s, t->values, n, i, &first_zero);
        i += n;
        if (i == row_end) {
            row_sums[row] = lwt_combine(s.row);
            row_sum_sq[row] = lwt_combine(s.row_sq);
            memset(s.row, 0, sizeof s.row);
            memset(s.row_sq, 0, sizeof s.row_sq);
        }
    }
    for (j = 0; j < t->k; j++) {
        if (s.nan > 0 || (s.positive[j] > 0 && s.negative[j] > 0)) {
            sketch[j] = NAN;
        } else if (s.positive[j] > 0) {
            sketch[j] = INFINITY;
        } else if (s.negative[j] > 0) {
            sketch[j] = -INFINITY;
        } else {
            sketch[j] = lwt_combine(s.finite) - 2 * lwt_combine(s.sketch + j * LWT_LANES);
        }
    }
    if (s.min == 0) {
        s.min = first_zero < 0 ? -0.0 : 0.0;
    }
    if (s.max == 0) {
        s.max = first_zero < 0 ? -0.0 : 0.0;
    }
    lwt_sha_hex(&sha, hex);

    fputs(t->steps == 0 ? "\n    {\"name\": " : ",\n    {\"name\": ", t->file);
    lwt_string(t->file, name);
    fputs(", \"shape\": [", t->file);
    for (a = 0; a < ndim; a++) {
        fprintf(t->file, a == 0 ? "%lld" : ", %lld", (long long)shape[a]);
    }
    fputs("], \"dtype\": ", t->file);
    lwt_string(t->file, lwt_dtype_name(dtype));
    fprintf(t->file, ", \"stats\": {\"count\": %llu, \"sum\": ", (unsigned long long)count);
    lwt_number(t->file, lwt_combine(s.sum));
    fputs(", \"abs_sum\": ", t->file);
    lwt_number(t->file, lwt_combine(s.abs_sum));
    fputs(", \"sum_sq\": ", t->file);
    lwt_number(t->file, lwt_combine(s.sum_sq));
    if (s.min <= s.max) {
        fputs(", \"min\": ", t->file);
        lwt_number(t->file, s.min);
        fputs(", \"max\": ", t->file);
        lwt_number(t->file, s.max);
    } else {
        fputs(", \"min\": null, \"max\": null", t->file);
    }
    fprintf(t->file, ", \"nan\": %llu, \"pos_inf\": %llu, \"neg_inf\": %llu, \"zeros\": %llu}, \"row_sums\": ",
            (unsigned long long)s.nan, (unsigned long long)s.pos_inf, (unsigned long long)s.neg_inf,
            (unsigned long long)s.zeros);
    lwt_numbers(t->file, row_sums, (size_t)rows);
    fputs(", \"row_sum_sq\": ", t->file);
    lwt_numbers(t->file, row_sum_sq, (size_t)rows);
    fputs(", \"sketch\": ", t->file);
    lwt_numbers(t->file, sketch, (size_t)t->k);
    fprintf(t->file, ", \"sha256\": \"%s\"}", hex);
    t->steps++;
    free(row_sums);
    free(row_sum_sq);
    if (ferror(t->file)) {
        return lwt_fail(t, "cannot write the temporary file ", t->temp_path);
    }
    return 0;
}

/* Java's order of top_k candidates: the larger logit (Double.compare: -0 below +0), then the lower id. */
static int lwt_ranks_above(double a, int32_t a_id, double b, int32_t b_id) {
    if (a != b) {
        return a > b;
    }
    if (signbit(a) != signbit(b)) {
        return !signbit(a); /* +0 above -0 */
    }
    return a_id < b_id;
}

int layerwise_trace_top_k(layerwise_trace *t, int dtype, const void *data, size_t vocab, size_t k) {
    size_t id, at;
    if (t == NULL) {
        return -1;
    }
    if (t->error[0] != '\0') {
        return -1;
    }
    if (t->has_top) {
        return lwt_fail(t, "layerwise_trace_top_k called twice (a trace has one top_k block)", "");
    }
    if (lwt_dtype_name(dtype) == NULL) {
        return lwt_fail(t, "not one of LAYERWISE_F32, _F16, _BF16, _F64: the dtype of the top_k logits", "");
    }
    if (vocab > (size_t)INT32_MAX + 1) {
        return lwt_fail(t, "top_k: more logits than int32 token ids", "");
    }
    if (vocab > 0 && data == NULL) {
        return lwt_fail(t, "top_k: no logits", "");
    }
    if (k > vocab) {
        k = vocab;
    }
    t->top_ids = (int32_t *)malloc((k == 0 ? 1 : k) * sizeof *t->top_ids);
    t->top_logits = (double *)malloc((k == 0 ? 1 : k) * sizeof *t->top_logits);
    if (t->top_ids == NULL || t->top_logits == NULL) {
        return lwt_fail(t, "out of memory for top_k", "");
    }
    t->has_top = 1;
    for (id = 0; id < vocab && k > 0; id++) {
        double v;
        if (dtype == LAYERWISE_F32) {
            v = ((const float *)data)[id];
        } else if (dtype == LAYERWISE_F64) {
            v = ((const double *)data)[id];
        } else if (dtype == LAYERWISE_F16) {
            v = lwt_half(((const uint16_t *)data)[id]);
        } else {
            v = lwt_float_bits((uint32_t)((const uint16_t *)data)[id] << 16);
        }
        if (v != v) {
            continue;
        }
        if (t->n_top == k
            && !lwt_ranks_above(v, (int32_t)id, t->top_logits[k - 1], t->top_ids[k - 1])) {
            continue;
        }
        /* insertion into the sorted list, dropping the last entry when it is full */
        at = t->n_top < k ? t->n_top++ : k - 1;
        while (at > 0 && lwt_ranks_above(v, (int32_t)id, t->top_logits[at - 1], t->top_ids[at - 1])) {
            t->top_logits[at] = t->top_logits[at - 1];
            t->top_ids[at] = t->top_ids[at - 1];
            at--;
        }
        t->top_logits[at] = v;
        t->top_ids[at] = (int32_t)id;
    }
    return 0;
}

static void lwt_free(layerwise_trace *t) {
    free(t->signs);
    free(t->bases);
    free(t->sketch_lanes);
    free(t->positive);
    free(t->negative);
    free(t->sketch);
    free(t->top_ids);
    free(t->top_logits);
    free(t->path);
    free(t->temp_path);
    free(t);
}

void layerwise_trace_discard(layerwise_trace *t) {
    if (t == NULL) {
        return;
    }
    if (t->file != NULL) {
        fclose(t->file);
        remove(t->temp_path);
    }
    lwt_free(t);
}

int layerwise_trace_close(layerwise_trace *t, char *err, size_t err_len) {
    FILE *existing;
    int failed;
    if (t == NULL) {
        if (err != NULL && err_len > 0) {
            strncpy(err, "layerwise_trace: out of memory", err_len - 1);
            err[err_len - 1] = '\0';
        }
        return -1;
    }
    if (t->error[0] == '\0') {
        size_t i;
        fputs(t->steps == 0 ? "],\n  \"top_k\": [" : "\n  ],\n  \"top_k\": [", t->file);
        for (i = 0; i < t->n_top; i++) {
            fprintf(t->file, "%s{\"token_id\": %ld, \"logit\": ", i == 0 ? "" : ", ", (long)t->top_ids[i]);
            lwt_number(t->file, t->top_logits[i]);
            fputc('}', t->file);
        }
        fputs("]\n}\n", t->file);
        if (fflush(t->file) != 0 || ferror(t->file)) {
            lwt_fail(t, "cannot write the temporary file ", t->temp_path);
        }
    }
    if (t->error[0] == '\0' && !t->force && (existing = fopen(t->path, "rb")) != NULL) {
        fclose(existing);
        lwt_fail(t, "exists; not replaced (open the trace with force = 1 to replace it)", "");
    }
    if (t->file != NULL) {
        if (fclose(t->file) != 0) {
            lwt_fail(t, "cannot write the temporary file ", t->temp_path);
        }
        t->file = NULL;
        if (t->error[0] == '\0' && rename(t->temp_path, t->path) != 0) {
            lwt_fail(t, "cannot rename the temporary file to it", "");
        }
        if (t->error[0] != '\0') {
            remove(t->temp_path);
        }
    }
    failed = t->error[0] != '\0';
    if (failed && err != NULL && err_len > 0) {
        strncpy(err, t->error, err_len - 1);
        err[err_len - 1] = '\0';
    }
    lwt_free(t);
    return failed ? -1 : 0;
}

#ifdef __cplusplus
}
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

#endif /* LAYERWISE_TRACE_IMPLEMENTED */
#endif /* LAYERWISE_TRACE_IMPLEMENTATION */
