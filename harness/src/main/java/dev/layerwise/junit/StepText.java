package dev.layerwise.junit;

import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;

/**
 * A step's recorded statistics, one per line, as the expected and actual values of an assertion failure, so an
 * IDE's diff view shows which statistics differ.
 */
final class StepText {
    private StepText() {
    }

    static String of(Step s) {
        if (s == null) {
            return "(not recorded)";
        }
        Stats st = s.stats();
        StringBuilder b = new StringBuilder();
        b.append(s.name()).append(' ').append(s.shapeString()).append(' ').append(s.dtype().traceName()).append('\n');
        line(b, "sum", st.sum());
        line(b, "abs_sum", st.absSum());
        line(b, "sum_sq", st.sumSq());
        line(b, "min", st.min());
        line(b, "max", st.max());
        line(b, "nan", st.nan());
        line(b, "pos_inf", st.posInf());
        line(b, "neg_inf", st.negInf());
        line(b, "zeros", st.zeros());
        return b.toString();
    }

    private static void line(StringBuilder b, String name, Object value) {
        if (value != null) {
            b.append(name).append(" = ").append(value).append('\n');
        }
    }
}
