/*
 * tiny_engine.c: a complete, small Llama forward pass in C99 that records every canonical step with
 * layerwise_trace.h. It is the guide's full C example (docs/your-engine.md) and a real third-party engine
 * for Layerwise's own tests (TinyEngineIT).
 *
 *     cc -std=c99 -O2 -I sdk/c sdk/c/examples/tiny_engine.c -lm -o tiny_engine
 *     ./tiny_engine MODEL_DIR 1,415,2936 trace.json
 *     layerwise check --reference ref.json --model MODEL_DIR \
 *         --engine-cmd './tiny_engine {model} {tokens_csv} {out}'
 *
 * MODEL_DIR is a Hugging Face Llama checkpoint: config.json and one model.safetensors holding F32, F16 or
 * BF16 tensors (e.g. `layerwise synth --preset tiny --seed 1 --dtype f16 --out MODEL_DIR`). The model dtype
 * is the dtype of the embedding table. Everything is computed in float32 and rounded to the model dtype where
 * Hugging Face rounds (docs/llama-numerics.md), all tokens at once, no KV cache, one thread.
 *
 * Planted bugs, to watch Layerwise find them: -DBUG_SILU_ZERO (SiLU returns 0) and -DBUG_NO_ATTN_SCALE
 * (attention scores not scaled by 1/sqrt(head_dim)).
 */
#define LAYERWISE_TRACE_IMPLEMENTATION
#include "layerwise_trace.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors and files ----------------------------------------------------------------------------- */

/* Bad input or a failure: one line on stderr, exit status 2. */
static void die(const char *format, ...) {
    va_list args;
    fputs("tiny_engine: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    exit(2);
}

static void *xmalloc(size_t count, size_t size) {
    void *p = calloc(count == 0 ? 1 : count, size);
    if (p == NULL) {
        die("out of memory");
    }
    return p;
}

/* The whole file, NUL-terminated; *size (when not NULL) gets its length. */
static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    char *bytes;
    long length;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        die("%s: cannot read the file", path);
    }
    bytes = (char *)xmalloc((size_t)length + 1, 1);
    if (fread(bytes, 1, (size_t)length, f) != (size_t)length) {
        die("%s: cannot read the file", path);
    }
    fclose(f);
    if (size != NULL) {
        *size = (size_t)length;
    }
    return bytes;
}

/* ---- float16 and bfloat16 --------------------------------------------------------------------------- */

static uint32_t float_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bits_float(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static float f16_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
    if (exponent == 0x1f) {
        return bits_float(sign | 0x7f800000u | (mantissa << 13));
    }
    if (exponent == 0) {
        float magnitude = (float)mantissa / 16777216.0f; /* subnormal: mantissa * 2^-24, exact */
        return sign ? -magnitude : magnitude;
    }
    return bits_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

/* Round to nearest, ties to even; overflow to infinity; NaN stays NaN. */
static uint16_t float_to_f16(float f) {
    uint32_t x = float_bits(f), sign = (x >> 16) & 0x8000u, a = x & 0x7fffffffu, q, rest, half;
    int shift;
    if (a > 0x7f800000u) {
        return (uint16_t)(sign | 0x7e00u);
    }
    if (a >= 0x477ff000u) { /* 65520 and above (and infinity) round to infinity */
        return (uint16_t)(sign | 0x7c00u);
    }
    if (a >= 0x38800000u) { /* normal in f16: re-bias the exponent, round away 13 mantissa bits */
        a -= 0x38000000u;
        q = a >> 13;
        rest = a & 0x1fffu;
        return (uint16_t)(sign | (q + (rest > 0x1000u || (rest == 0x1000u && (q & 1u)))));
    }
    if (a < 0x33000000u) { /* below 2^-25: rounds to zero */
        return (uint16_t)sign;
    }
    /* subnormal in f16: the 24-bit significand times 2^(e-150), in units of 2^-24 */
    shift = 126 - (int)(a >> 23);
    q = ((a & 0x7fffffu) | 0x800000u) >> shift;
    rest = ((a & 0x7fffffu) | 0x800000u) & ((1u << shift) - 1u);
    half = 1u << (shift - 1);
    return (uint16_t)(sign | (q + (rest > half || (rest == half && (q & 1u)))));
}

static float bf16_to_float(uint16_t h) {
    return bits_float((uint32_t)h << 16);
}

static uint16_t float_to_bf16(float f) {
    uint32_t x = float_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) {
        return (uint16_t)((x >> 16) | 0x40u);
    }
    return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

/* ---- the model ----------------------------------------------------------------------------------------- */

typedef struct {
    int hidden, intermediate, layers, heads, kv_heads, head_dim, vocab;
    float eps, rope_theta;
} Config;

typedef struct {
    float *attn_norm, *wq, *wk, *wv, *wo, *ffn_norm, *w_gate, *w_up, *w_down;
} Layer;

typedef struct {
    Config c;
    int dtype; /* LAYERWISE_F32, _F16 or _BF16: the model dtype */
    char *config_json;
    float *embed, *final_norm, *lm_head;
    Layer *layer;
} Model;

static int g_dtype; /* the model dtype, for round() */

/* x rounded to the model dtype (a no-op in float32). */
static float round_to_dtype(float x) {
    if (g_dtype == LAYERWISE_F16) {
        return f16_to_float(float_to_f16(x));
    }
    if (g_dtype == LAYERWISE_BF16) {
        return bf16_to_float(float_to_bf16(x));
    }
    return x;
}

/* A number in config.json: "key": 123 (top level keys of a Llama config have unique names). */
static double config_number(const char *json, const char *path, const char *key, double fallback, int required) {
    char quoted[64];
    const char *p;
    char *end;
    double value;
    sprintf(quoted, "\"%s\"", key);
    p = strstr(json, quoted);
    if (p == NULL) {
        if (required) {
            die("%s: %s: missing", path, key);
        }
        return fallback;
    }
    p += strlen(quoted);
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
        p++;
    }
    if (*p++ != ':') {
        die("%s: %s: expected ':'", path, key);
    }
    value = strtod(p, &end);
    if (end == p) {
        die("%s: %s: not a number", path, key);
    }
    return value;
}

static int config_int(const char *json, const char *path, const char *key, int fallback, int required) {
    double v = config_number(json, path, key, fallback, required);
    if (v < 1 || v > 1e8 || v != (int)v) {
        die("%s: %s: expected a positive integer, got %g", path, key, v);
    }
    return (int)v;
}

/* A safetensors file: 8-byte little-endian header length, a JSON header, then the tensor data. */
typedef struct {
    const char *path;
    unsigned char *bytes;
    size_t size;
    char *header; /* NUL-terminated copy of the JSON header */
    const unsigned char *data;
    size_t data_size;
} Safetensors;

static void safetensors_open(Safetensors *st, const char *path) {
    uint64_t n = 0;
    int i;
    st->path = path;
    st->bytes = (unsigned char *)read_file(path, &st->size);
    if (st->size < 8) {
        die("%s: header length: file shorter than 8 bytes", path);
    }
    for (i = 7; i >= 0; i--) {
        n = (n << 8) | st->bytes[i];
    }
    if (n > st->size - 8) {
        die("%s: header length: %llu bytes, but the file has %zu after it", path, (unsigned long long)n,
            st->size - 8);
    }
    st->header = (char *)xmalloc((size_t)n + 1, 1);
    memcpy(st->header, st->bytes + 8, (size_t)n);
    st->data = st->bytes + 8 + n;
    st->data_size = st->size - 8 - (size_t)n;
}

/* Reads "[a, b, ...]" after "key": in obj; returns the count (at most max). */
static int json_int_array(const char *obj, const char *key, uint64_t *out, int max) {
    const char *p = strstr(obj, key);
    int n = 0;
    if (p == NULL || (p = strchr(p, '[')) == NULL) {
        return -1;
    }
    p++;
    while (*p != ']' && *p != '\0') {
        char *end;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || n == max) {
            return -1;
        }
        out[n++] = v;
        p = end;
        while (*p == ' ' || *p == ',' || *p == '\n') {
            p++;
        }
    }
    return *p == ']' ? n : -1;
}

/*
 * Tensor NAME as floats, rounded to the model dtype (Hugging Face casts weights to the dtype it loads with).
 * Its shape must be [rows, cols] (cols 0: [rows]).
 */
static float *load_tensor(const Safetensors *st, const char *name, int rows, int cols, int *dtype_out) {
    char quoted[256], *obj, *end, dtype[8] = "";
    const char *p, *d;
    uint64_t shape[4], offsets[2], count = (uint64_t)rows * (uint64_t)(cols == 0 ? 1 : cols), i;
    int ndim, width, dtype_id;
    float *w;
    sprintf(quoted, "\"%.200s\"", name);
    p = strstr(st->header, quoted);
    if (p == NULL || (p = strchr(p + strlen(quoted), '{')) == NULL || (end = strchr(p, '}')) == NULL) {
        die("%s: %s: no such tensor", st->path, name);
    }
    obj = (char *)xmalloc((size_t)(end - p) + 1, 1);
    memcpy(obj, p, (size_t)(end - p));
    d = strstr(obj, "\"dtype\"");
    if (d == NULL || (d = strchr(d + 7, '"')) == NULL || sscanf(d, "\"%7[A-Z0-9]\"", dtype) != 1) {
        die("%s: %s.dtype: missing", st->path, name);
    }
    if (strcmp(dtype, "F32") == 0) {
        dtype_id = LAYERWISE_F32;
        width = 4;
    } else if (strcmp(dtype, "F16") == 0) {
        dtype_id = LAYERWISE_F16;
        width = 2;
    } else if (strcmp(dtype, "BF16") == 0) {
        dtype_id = LAYERWISE_BF16;
        width = 2;
    } else {
        die("%s: %s.dtype: %s is not F32, F16 or BF16", st->path, name, dtype);
    }
    ndim = json_int_array(obj, "\"shape\"", shape, 4);
    if (cols == 0 && (ndim != 1 || shape[0] != (uint64_t)rows)) {
        die("%s: %s.shape: expected [%d] from config.json", st->path, name, rows);
    }
    if (cols != 0 && (ndim != 2 || shape[0] != (uint64_t)rows || shape[1] != (uint64_t)cols)) {
        die("%s: %s.shape: expected [%d, %d] from config.json", st->path, name, rows, cols);
    }
    if (json_int_array(obj, "\"data_offsets\"", offsets, 2) != 2 || offsets[0] > offsets[1]
        || offsets[1] > st->data_size || offsets[1] - offsets[0] != count * (uint64_t)width) {
        die("%s: %s.data_offsets: not %llu bytes inside the file", st->path, name,
            (unsigned long long)(count * (uint64_t)width));
    }
    free(obj);
    if (dtype_out != NULL) {
        *dtype_out = dtype_id;
    }
    w = (float *)xmalloc((size_t)count, sizeof *w);
    for (i = 0; i < count; i++) {
        const unsigned char *b = st->data + offsets[0] + i * (uint64_t)width;
        if (width == 4) {
            w[i] = bits_float((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
        } else {
            uint16_t h = (uint16_t)(b[0] | b[1] << 8);
            w[i] = dtype_id == LAYERWISE_F16 ? f16_to_float(h) : bf16_to_float(h);
        }
        w[i] = round_to_dtype(w[i]);
    }
    return w;
}

/* Tensor model.layers.LAYER.SUFFIX of shape [rows, cols]. */
static float *layer_tensor(const Safetensors *st, int layer, const char *suffix, int rows, int cols) {
    char name[160];
    snprintf(name, sizeof name, "model.layers.%d.%.100s", layer, suffix);
    return load_tensor(st, name, rows, cols, NULL);
}

static void load_model(Model *m, const char *dir) {
    char path[4096];
    Safetensors st;
    Config *c = &m->c;
    int i;
    snprintf(path, sizeof path, "%s/config.json", dir);
    m->config_json = read_file(path, NULL);
    c->hidden = config_int(m->config_json, path, "hidden_size", 0, 1);
    c->intermediate = config_int(m->config_json, path, "intermediate_size", 0, 1);
    c->layers = config_int(m->config_json, path, "num_hidden_layers", 0, 1);
    c->heads = config_int(m->config_json, path, "num_attention_heads", 0, 1);
    c->kv_heads = config_int(m->config_json, path, "num_key_value_heads", c->heads, 0);
    c->head_dim = config_int(m->config_json, path, "head_dim", c->hidden / c->heads, 0);
    c->vocab = config_int(m->config_json, path, "vocab_size", 0, 1);
    c->eps = (float)config_number(m->config_json, path, "rms_norm_eps", 1e-6, 0);
    c->rope_theta = (float)config_number(m->config_json, path, "rope_theta", 10000.0, 0);
    if (c->heads % c->kv_heads != 0 || c->head_dim % 2 != 0) {
        die("%s: num_key_value_heads must divide num_attention_heads and head_dim must be even", path);
    }

    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    safetensors_open(&st, path);
    g_dtype = LAYERWISE_F32; /* the embedding table decides the model dtype; every other tensor is rounded to it */
    m->embed = load_tensor(&st, "model.embed_tokens.weight", c->vocab, c->hidden, &m->dtype);
    g_dtype = m->dtype;
    m->final_norm = load_tensor(&st, "model.norm.weight", c->hidden, 0, NULL);
    m->lm_head = strstr(st.header, "\"lm_head.weight\"") == NULL
                     ? m->embed /* tied embeddings */
                     : load_tensor(&st, "lm_head.weight", c->vocab, c->hidden, NULL);
    m->layer = (Layer *)xmalloc((size_t)c->layers, sizeof *m->layer);
    for (i = 0; i < c->layers; i++) {
        Layer *l = &m->layer[i];
        int q = c->heads * c->head_dim, kv = c->kv_heads * c->head_dim;
        l->attn_norm = layer_tensor(&st, i, "input_layernorm.weight", c->hidden, 0);
        l->wq = layer_tensor(&st, i, "self_attn.q_proj.weight", q, c->hidden);
        l->wk = layer_tensor(&st, i, "self_attn.k_proj.weight", kv, c->hidden);
        l->wv = layer_tensor(&st, i, "self_attn.v_proj.weight", kv, c->hidden);
        l->wo = layer_tensor(&st, i, "self_attn.o_proj.weight", c->hidden, q);
        l->ffn_norm = layer_tensor(&st, i, "post_attention_layernorm.weight", c->hidden, 0);
        l->w_gate = layer_tensor(&st, i, "mlp.gate_proj.weight", c->intermediate, c->hidden);
        l->w_up = layer_tensor(&st, i, "mlp.up_proj.weight", c->intermediate, c->hidden);
        l->w_down = layer_tensor(&st, i, "mlp.down_proj.weight", c->hidden, c->intermediate);
    }
    free(st.bytes);
    free(st.header);
}

/* ---- recording -------------------------------------------------------------------------------------------- */

static layerwise_trace *g_trace;

/* Records a step held as floats (already rounded to the model dtype) in the model dtype. */
static void record(const char *step, int layer, const int64_t *shape, size_t ndim, const float *values) {
    char name[64];
    size_t n = 1, i;
    uint16_t *half = NULL;
    const void *data = values;
    int failed;
    if (layer >= 0) {
        snprintf(name, sizeof name, "layers.%d.%s", layer, step);
    } else {
        snprintf(name, sizeof name, "%s", step);
    }
    for (i = 0; i < ndim; i++) {
        n *= (size_t)shape[i];
    }
    if (g_dtype != LAYERWISE_F32) {
        half = (uint16_t *)xmalloc(n, sizeof *half);
        for (i = 0; i < n; i++) {
            half[i] = g_dtype == LAYERWISE_F16 ? float_to_f16(values[i]) : float_to_bf16(values[i]);
        }
        data = half;
    }
    failed = layerwise_trace_record(g_trace, name, g_dtype, shape, ndim, data);
    free(half);
    if (failed) {
        die("%s", layerwise_trace_error(g_trace));
    }
}

static void record2(const char *step, int layer, int rows, int cols, const float *values) {
    int64_t shape[2];
    shape[0] = rows;
    shape[1] = cols;
    record(step, layer, shape, 2, values);
}

/* ---- the forward pass ----------------------------------------------------------------------------------- */

/* out[t, o] = sum_i x[t, i] * w[o, i], accumulated in float32, rounded once. */
static void linear(float *out, const float *x, const float *w, int tokens, int in, int out_dim) {
    int t, o, i;
    for (t = 0; t < tokens; t++) {
        for (o = 0; o < out_dim; o++) {
            float acc = 0.0f;
            for (i = 0; i < in; i++) {
                acc += x[t * in + i] * w[o * in + i];
            }
            out[t * out_dim + o] = round_to_dtype(acc);
        }
    }
}

/* RMSNorm as Hugging Face: x * rsqrt(mean(x^2) + eps) in float32, rounded, times the weight, rounded again. */
static void rms_norm(float *out, const float *x, const float *weight, int tokens, int hidden, float eps) {
    int t, i;
    for (t = 0; t < tokens; t++) {
        const float *row = x + t * hidden;
        float sum_squares = 0.0f, r;
        for (i = 0; i < hidden; i++) {
            sum_squares += row[i] * row[i];
        }
        r = 1.0f / sqrtf(sum_squares / (float)hidden + eps);
        for (i = 0; i < hidden; i++) {
            out[t * hidden + i] = round_to_dtype(weight[i] * round_to_dtype(row[i] * r));
        }
    }
}

/* RoPE in Llama's half-split form: x*cos + rotate_half(x)*sin, rotate_half(x) = (-x2, x1), each op rounded. */
static void rope(float *out, const float *x, const float *cos_table, const float *sin_table, int tokens, int heads,
                 int head_dim) {
    int half = head_dim / 2, t, h, i;
    for (t = 0; t < tokens; t++) {
        for (h = 0; h < heads; h++) {
            const float *in = x + (t * heads + h) * head_dim;
            float *o = out + (t * heads + h) * head_dim;
            for (i = 0; i < half; i++) {
                float c = cos_table[t * half + i], s = sin_table[t * half + i], x1 = in[i], x2 = in[i + half];
                o[i] = round_to_dtype(round_to_dtype(x1 * c) + round_to_dtype(-x2 * s));
                o[i + half] = round_to_dtype(round_to_dtype(x2 * c) + round_to_dtype(x1 * s));
            }
        }
    }
}

/* probs[h, t, s] = softmax over s <= t of (q_t . k_s) * scale; masked (s > t) entries are 0. */
static void attention_probs(float *probs, const float *q, const float *k, const Config *c, int tokens) {
    int group = c->heads / c->kv_heads, d = c->head_dim, h, t, s, i;
#ifdef BUG_NO_ATTN_SCALE
    float scale = 1.0f;
#else
    float scale = (float)(1.0 / sqrt((double)d));
#endif
    for (h = 0; h < c->heads; h++) {
        int kvh = h / group;
        for (t = 0; t < tokens; t++) {
            float *row = probs + (h * tokens + t) * tokens, max = -INFINITY, sum = 0.0f;
            const float *qt = q + (t * c->heads + h) * d;
            for (s = 0; s <= t; s++) {
                const float *ks = k + (s * c->kv_heads + kvh) * d;
                float dot = 0.0f;
                for (i = 0; i < d; i++) {
                    dot += qt[i] * ks[i];
                }
                row[s] = round_to_dtype(round_to_dtype(dot) * scale);
                max = row[s] > max ? row[s] : max;
            }
            for (s = 0; s <= t; s++) {
                row[s] = expf(row[s] - max);
                sum += row[s];
            }
            for (s = 0; s < tokens; s++) {
                row[s] = s <= t ? round_to_dtype(row[s] / sum) : 0.0f;
            }
        }
    }
}

/* ctx[t, h, :] = sum_s probs[h, t, s] * v[s, kvh, :] */
static void attention_context(float *ctx, const float *probs, const float *v, const Config *c, int tokens) {
    int group = c->heads / c->kv_heads, d = c->head_dim, h, t, s, i;
    for (h = 0; h < c->heads; h++) {
        for (t = 0; t < tokens; t++) {
            for (i = 0; i < d; i++) {
                float acc = 0.0f;
                for (s = 0; s <= t; s++) {
                    acc += probs[(h * tokens + t) * tokens + s] * v[(s * c->kv_heads + h / group) * d + i];
                }
                ctx[(t * c->heads + h) * d + i] = round_to_dtype(acc);
            }
        }
    }
}

static float silu(float x) {
#ifdef BUG_SILU_ZERO
    (void)x;
    return 0.0f;
#else
    return x / (1.0f + expf(-x));
#endif
}

static void forward(const Model *m, const int32_t *tokens, int T) {
    const Config *c = &m->c;
    int H = c->hidden, I = c->intermediate, D = c->head_dim, Q = c->heads * D, KV = c->kv_heads * D;
    int half = D / 2, l, t, i;
    float *x = xmalloc((size_t)T * H, sizeof *x), *norm = xmalloc((size_t)T * H, sizeof *x);
    float *q = xmalloc((size_t)T * Q, sizeof *x), *q_rope = xmalloc((size_t)T * Q, sizeof *x);
    float *k = xmalloc((size_t)T * KV, sizeof *x), *k_rope = xmalloc((size_t)T * KV, sizeof *x);
    float *v = xmalloc((size_t)T * KV, sizeof *x), *ctx = xmalloc((size_t)T * Q, sizeof *x);
    float *probs = xmalloc((size_t)c->heads * T * T, sizeof *x), *branch = xmalloc((size_t)T * H, sizeof *x);
    float *gate = xmalloc((size_t)T * I, sizeof *x), *up = xmalloc((size_t)T * I, sizeof *x);
    float *act = xmalloc((size_t)T * I, sizeof *x), *gated = xmalloc((size_t)T * I, sizeof *x);
    float *logits = xmalloc((size_t)T * c->vocab, sizeof *x);
    float *cos_table = xmalloc((size_t)T * half, sizeof *x), *sin_table = xmalloc((size_t)T * half, sizeof *x);
    int64_t probs_shape[3];

    /* RoPE tables as Hugging Face builds them: float32 inverse frequencies and angles, cos/sin rounded */
    for (i = 0; i < half; i++) {
        float inv_freq = 1.0f / (float)pow((double)c->rope_theta, (double)((float)(2 * i) / (float)D));
        for (t = 0; t < T; t++) {
            float angle = inv_freq * (float)t;
            cos_table[t * half + i] = round_to_dtype((float)cos((double)angle));
            sin_table[t * half + i] = round_to_dtype((float)sin((double)angle));
        }
    }

    for (t = 0; t < T; t++) {
        memcpy(x + t * H, m->embed + (size_t)tokens[t] * H, (size_t)H * sizeof *x);
    }
    record2("embed", -1, T, H, x);

    for (l = 0; l < c->layers; l++) {
        const Layer *w = &m->layer[l];
        rms_norm(norm, x, w->attn_norm, T, H, c->eps);
        record2("attn_norm", l, T, H, norm);
        linear(q, norm, w->wq, T, H, Q);
        record2("q", l, T, Q, q);
        linear(k, norm, w->wk, T, H, KV);
        record2("k", l, T, KV, k);
        linear(v, norm, w->wv, T, H, KV);
        record2("v", l, T, KV, v);
        rope(q_rope, q, cos_table, sin_table, T, c->heads, D);
        record2("q_rope", l, T, Q, q_rope);
        rope(k_rope, k, cos_table, sin_table, T, c->kv_heads, D);
        record2("k_rope", l, T, KV, k_rope);
        attention_probs(probs, q_rope, k_rope, c, T);
        probs_shape[0] = c->heads;
        probs_shape[1] = T;
        probs_shape[2] = T;
        record("attn_probs", l, probs_shape, 3, probs);
        attention_context(ctx, probs, v, c, T);
        record2("attn_ctx", l, T, Q, ctx);
        linear(branch, ctx, w->wo, T, Q, H);
        record2("attn_out", l, T, H, branch);
        for (i = 0; i < T * H; i++) {
            x[i] = round_to_dtype(x[i] + branch[i]);
        }
        record2("resid_mid", l, T, H, x);

        rms_norm(norm, x, w->ffn_norm, T, H, c->eps);
        record2("ffn_norm", l, T, H, norm);
        linear(gate, norm, w->w_gate, T, H, I);
        record2("gate", l, T, I, gate);
        linear(up, norm, w->w_up, T, H, I);
        record2("up", l, T, I, up);
        for (i = 0; i < T * I; i++) {
            act[i] = round_to_dtype(silu(gate[i]));
        }
        record2("silu_gate", l, T, I, act);
        for (i = 0; i < T * I; i++) {
            gated[i] = round_to_dtype(act[i] * up[i]);
        }
        record2("gated", l, T, I, gated);
        linear(branch, gated, w->w_down, T, I, H);
        record2("ffn_out", l, T, H, branch);
        for (i = 0; i < T * H; i++) {
            x[i] = round_to_dtype(x[i] + branch[i]);
        }
        record2("out", l, T, H, x);
    }

    rms_norm(norm, x, m->final_norm, T, H, c->eps);
    record2("final_norm", -1, T, H, norm);
    linear(logits, norm, m->lm_head, T, H, c->vocab);
    record2("logits", -1, T, c->vocab, logits);
    if (layerwise_trace_top_k(g_trace, LAYERWISE_F32, logits + (size_t)(T - 1) * c->vocab, (size_t)c->vocab, 10)) {
        die("%s", layerwise_trace_error(g_trace));
    }
}

/* "1,415,2936" -> ids, each in [0, vocab). */
static int32_t *parse_tokens(const char *csv, int vocab, int *count) {
    int32_t *ids = (int32_t *)xmalloc(strlen(csv) / 2 + 1, sizeof *ids);
    const char *p = csv;
    int n = 0;
    for (;;) {
        char *end;
        long id = strtol(p, &end, 10);
        if (end == p || id < 0 || id >= vocab) {
            die("tokens '%s': item %d is not a token id in 0..%d", csv, n + 1, vocab - 1);
        }
        ids[n++] = (int32_t)id;
        if (*end == '\0') {
            break;
        }
        if (*end != ',') {
            die("tokens '%s': expected ids separated by commas", csv);
        }
        p = end + 1;
    }
    *count = n;
    return ids;
}

int main(int argc, char **argv) {
    Model model;
    int32_t *tokens;
    int n_tokens;
    char err[512];
    if (argc != 4) {
        fprintf(stderr, "usage: tiny_engine MODEL_DIR TOKEN,TOKEN,... OUT_TRACE.json\n");
        return 2;
    }
    memset(&model, 0, sizeof model);
    load_model(&model, argv[1]);
    tokens = parse_tokens(argv[2], model.c.vocab, &n_tokens);
    /* the config.json text is stored as the trace's model.config; an existing OUT is never replaced */
    g_trace = layerwise_trace_open(argv[3], "tiny_engine.c", "1", model.dtype, tokens, (size_t)n_tokens,
                                   model.config_json, 0);
    if (g_trace == NULL) {
        die("out of memory");
    }
    forward(&model, tokens, n_tokens);
    if (layerwise_trace_close(g_trace, err, sizeof err) != 0) {
        die("%s", err);
    }
    return 0;
}
