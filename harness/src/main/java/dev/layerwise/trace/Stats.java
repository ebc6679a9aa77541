package dev.layerwise.trace;

/**
 * Summary statistics of one step's tensor, accumulated in float64 (trace-format-v1). Only {@code sum}
 * is required; every other field is null when the producer did not record it (foreign dumps).
 * {@code min}/{@code max} are over finite values and null when there are none.
 */
public record Stats(
        Long count,
        double sum,
        Double absSum,
        Double sumSq,
        Double min,
        Double max,
        Long nan,
        Long posInf,
        Long negInf,
        Long zeros) {

    /** Stats that carry a sum alone, as foreign dumps often do. */
    public static Stats sumOnly(double sum) {
        return new Stats(null, sum, null, null, null, null, null, null, null, null);
    }

    /** True when every field is present (a full Layerwise producer wrote it). */
    public boolean isComplete() {
        return count != null && absSum != null && sumSq != null && nan != null && posInf != null
                && negInf != null && zeros != null;
    }

    /** Number of non-finite values, or null when the counts were not recorded. */
    public Long nonFinite() {
        if (nan == null || posInf == null || negInf == null) {
            return null;
        }
        return nan + posInf + negInf;
    }

    /** L2 norm sqrt(sum_sq), or null. */
    public Double l2() {
        return sumSq == null ? null : Math.sqrt(sumSq);
    }
}
