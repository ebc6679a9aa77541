package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.StepMetrics;
import dev.layerwise.compare.StepResult;
import dev.layerwise.trace.Step;

/** Per-token-row deviations of a divergent step, measured against the step's row tolerance. */
record RowPattern(double[] deviation, double limit) {

    /** Rows when the step's first axis is the token axis and both traces carry row statistics, else null. */
    static RowPattern of(StepResult r, DiagnosisContext ctx) {
        Step ref = r.reference();
        if (r.metrics() == null || r.tolerance() == null || ref == null) {
            return null;
        }
        double[] dev = r.metrics().rowDeviation();
        int tokens = ctx.reference().input().tokenIds().length;
        if (dev == null || dev.length < 2 || ref.shape()[0] != tokens) {
            return null;
        }
        return new RowPattern(dev, r.tolerance().row());
    }

    boolean clean(int row) {
        return deviation[row] <= limit;
    }

    /** True when the step records row norms and every row keeps its norm within the row limit (a rotation does). */
    boolean keepsNorms(StepMetrics m) {
        if (m.rowNormDev() == null) {
            return false;
        }
        for (double d : m.rowNormDev()) {
            if (!(d <= limit)) {
                return false;
            }
        }
        return true;
    }

    int last() {
        return deviation.length - 1;
    }

    /** Rows in [from, to) that are out of tolerance. */
    int offCount(int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (!clean(i)) {
                n++;
            }
        }
        return n;
    }

    int worst() {
        int w = 0;
        for (int i = 1; i < deviation.length; i++) {
            if (!(deviation[i] <= deviation[w])) {
                w = i;
            }
        }
        return w;
    }
}
