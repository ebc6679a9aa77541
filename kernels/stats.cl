// Trace statistics of one step, reduced on the device in a fixed order (docs/opencl.md, "Statistics").
// Every sum is float64 and kept as 8 lane sums, lane l adding the elements whose flat index i has
// i % 8 == l in increasing i, as docs/trace-format.md defines; here each (row, lane) adds its own
// elements, the lanes of the tensor add those partials row after row, and the 8 lanes are combined as
// ((L0 + L1) + (L2 + L3)) + ((L4 + L5) + (L6 + L7)). The row sums are therefore the trace format's own;
// the whole-tensor sums differ from an in-order lane sum only in rounding. Nothing depends on timing:
// the result is bit-identical from run to run on one device.

#define LANES 8
#ifndef SKETCH_BLOCK  // set by the host (DeviceStatistics.SKETCH_BLOCK)
#define SKETCH_BLOCK 2
#endif
// Fields of a (row, lane) partial and of a lane total; the sketch's 3 fields per row follow.
#define F_SUM 0
#define F_ABS 1
#define F_SQ 2
#define F_FINITE 3
#define F_MIN 4
#define F_MAX 5
#define F_NAN 6
#define F_POS_INF 7
#define F_NEG_INF 8
#define F_ZEROS 9
#define F_FIRST_ZERO 10
#define F_FIRST_ZERO_NEG 11
#define F_SKETCH 12
// per sketch row j: N_j (finite values with r_j(i) = -1), then the counts of +inf and -inf terms r_j(i) x_i
#define FIELDS(k) (F_SKETCH + 3 * (k))

static inline double combine_lanes(__global const double* lanes) {
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

// Work-item (lane, row, block): block 0 computes the statistics and every block the sketch rows
// [16 block, 16 block + 16) of row `row`'s elements in lane `lane`. neg_bits: k rows of `words` words,
// bit b of word w of row j set when r_j(64 w + b) = -1 (the project's splitmix64 Rademacher signs).
__kernel void stats_partial(__global const float* x, long row_len, int rows, __global const ulong* neg_bits,
                            long words, int k, __global double* partial) {
    int lane = get_global_id(0);
    int row = get_global_id(1);
    int block = get_global_id(2);
    if (row >= rows) {
        return;
    }
    long start = (long) row * row_len;
    long end = start + row_len;
    long first = start + (((long) lane - start % LANES) + LANES) % LANES;
    __global double* p = partial + ((long) row * LANES + lane) * FIELDS(k);
    int j0 = block * SKETCH_BLOCK;
    int j1 = min(k, j0 + SKETCH_BLOCK);
    double neg[SKETCH_BLOCK];
    double pos_inf_terms[SKETCH_BLOCK];
    double neg_inf_terms[SKETCH_BLOCK];
    for (int j = 0; j < SKETCH_BLOCK; j++) {
        neg[j] = 0.0;
        pos_inf_terms[j] = 0.0;
        neg_inf_terms[j] = 0.0;
    }
    double sum = 0.0, abs_sum = 0.0, sq = 0.0, finite = 0.0;
    double mn = INFINITY, mx = -INFINITY, nan_count = 0.0, pos_inf = 0.0, neg_inf = 0.0, zeros = 0.0;
    double first_zero = -1.0, first_zero_neg = 0.0;
    for (long i = first; i < end; i += LANES) {
        double v = (double) x[i];
        bool is_finite = isfinite(v);
        if (block == 0) {
            double s = v * v;
            sum += v;
            abs_sum += fabs(v);
            sq += s;
            if (is_finite) {
                finite += v;
                if (v < mn) {
                    mn = v;
                }
                if (v > mx) {
                    mx = v;
                }
                if (v == 0.0) {
                    if (first_zero < 0.0) {
                        first_zero = (double) i;
                        first_zero_neg = signbit(v) ? 1.0 : 0.0;
                    }
                    zeros += 1.0;
                }
            } else if (isnan(v)) {
                nan_count += 1.0;
            } else if (v > 0.0) {
                pos_inf += 1.0;
            } else {
                neg_inf += 1.0;
            }
        }
        for (int j = j0; j < j1; j++) {
            bool negative = (neg_bits[(long) j * words + (i >> 6)] >> (i & 63)) & 1UL;
            if (is_finite) {
                if (negative) {
                    neg[j - j0] += v;
                }
            } else if (!isnan(v)) {
                bool positive_term = (v > 0.0) != negative;
                if (positive_term) {
                    pos_inf_terms[j - j0] += 1.0;
                } else {
                    neg_inf_terms[j - j0] += 1.0;
                }
            }
        }
    }
    if (block == 0) {
        p[F_SUM] = sum;
        p[F_ABS] = abs_sum;
        p[F_SQ] = sq;
        p[F_FINITE] = finite;
        p[F_MIN] = mn;
        p[F_MAX] = mx;
        p[F_NAN] = nan_count;
        p[F_POS_INF] = pos_inf;
        p[F_NEG_INF] = neg_inf;
        p[F_ZEROS] = zeros;
        p[F_FIRST_ZERO] = first_zero;
        p[F_FIRST_ZERO_NEG] = first_zero_neg;
    }
    for (int j = j0; j < j1; j++) {
        p[F_SKETCH + 3 * j] = neg[j - j0];
        p[F_SKETCH + 3 * j + 1] = pos_inf_terms[j - j0];
        p[F_SKETCH + 3 * j + 2] = neg_inf_terms[j - j0];
    }
}

// Work-item (lane, field): the lane's total of one field over every row, rows in increasing order.
__kernel void stats_lanes(__global const double* partial, int rows, int k, __global double* lanes) {
    int lane = get_global_id(0);
    int f = get_global_id(1);
    int fields = FIELDS(k);
    if (f >= fields) {
        return;
    }
    double acc = f == F_MIN ? INFINITY : f == F_MAX ? -INFINITY : f == F_FIRST_ZERO ? -1.0 : 0.0;
    bool found = false;
    for (int r = 0; r < rows; r++) {
        __global const double* p = partial + ((long) r * LANES + lane) * fields;
        double v = p[f];
        if (f == F_MIN) {
            acc = v < acc ? v : acc;
        } else if (f == F_MAX) {
            acc = v > acc ? v : acc;
        } else if (f == F_FIRST_ZERO || f == F_FIRST_ZERO_NEG) {
            // the lane's first zero is in the earliest row that has one
            if (!found && p[F_FIRST_ZERO] >= 0.0) {
                acc = v;
                found = true;
            }
        } else {
            acc += v;
        }
    }
    lanes[f * LANES + lane] = acc;
}

// Work-item r: row r's sum and sum of squares from its 8 lane partials.
__kernel void stats_rows(__global const double* partial, int rows, int k, __global double* out, int offset) {
    int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    int fields = FIELDS(k);
    double s[LANES], q[LANES];
    for (int l = 0; l < LANES; l++) {
        s[l] = partial[((long) r * LANES + l) * fields + F_SUM];
        q[l] = partial[((long) r * LANES + l) * fields + F_SQ];
    }
    out[offset + r] = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    out[offset + rows + r] = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
}

// One work-item: the step's statistics and sketch from the lane totals. out: sum, abs_sum, sum_sq, min,
// max (+-inf when no value is finite), nan, pos_inf, neg_inf, zeros, then sketch[0..k).
__kernel void stats_final(__global const double* lanes, int k, __global double* out) {
    if (get_global_id(0) != 0) {
        return;
    }
    out[0] = combine_lanes(lanes + F_SUM * LANES);
    out[1] = combine_lanes(lanes + F_ABS * LANES);
    out[2] = combine_lanes(lanes + F_SQ * LANES);
    double mn = INFINITY, mx = -INFINITY, first_zero = -1.0, first_zero_neg = 0.0;
    double nan_count = 0.0, pos_inf = 0.0, neg_inf = 0.0, zeros = 0.0;
    for (int l = 0; l < LANES; l++) {
        mn = lanes[F_MIN * LANES + l] < mn ? lanes[F_MIN * LANES + l] : mn;
        mx = lanes[F_MAX * LANES + l] > mx ? lanes[F_MAX * LANES + l] : mx;
        double at = lanes[F_FIRST_ZERO * LANES + l];
        if (at >= 0.0 && (first_zero < 0.0 || at < first_zero)) {
            first_zero = at;
            first_zero_neg = lanes[F_FIRST_ZERO_NEG * LANES + l];
        }
        nan_count += lanes[F_NAN * LANES + l];
        pos_inf += lanes[F_POS_INF * LANES + l];
        neg_inf += lanes[F_NEG_INF * LANES + l];
        zeros += lanes[F_ZEROS * LANES + l];
    }
    // an extremum of zero has the sign of the first zero in element order (an in-order scan's result)
    double zero = first_zero_neg > 0.0 ? -0.0 : 0.0;
    out[3] = mn == 0.0 ? zero : mn;
    out[4] = mx == 0.0 ? zero : mx;
    out[5] = nan_count;
    out[6] = pos_inf;
    out[7] = neg_inf;
    out[8] = zeros;
    double total = combine_lanes(lanes + F_FINITE * LANES);
    for (int j = 0; j < k; j++) {
        int f = F_SKETCH + 3 * j;
        double pos_terms = 0.0, neg_terms = 0.0;
        for (int l = 0; l < LANES; l++) {
            pos_terms += lanes[(f + 1) * LANES + l];
            neg_terms += lanes[(f + 2) * LANES + l];
        }
        double v = total - 2.0 * combine_lanes(lanes + f * LANES);
        if (nan_count > 0.0 || (pos_terms > 0.0 && neg_terms > 0.0)) {
            v = NAN;
        } else if (pos_terms > 0.0) {
            v = INFINITY;
        } else if (neg_terms > 0.0) {
            v = -INFINITY;
        }
        out[9 + j] = v;
    }
}
