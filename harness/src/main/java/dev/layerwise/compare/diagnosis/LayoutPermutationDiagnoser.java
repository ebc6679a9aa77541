package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.SketchNoise;
import dev.layerwise.compare.StepMetrics;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.Tolerance;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sum and norm preserved while the element-wise (L2) error is large: the same values in other places (RoPE pairs
 * interleaved instead of half-split, heads in another order, query heads mapped to the wrong key/value heads, a
 * transposed weight). "Preserved" means within the
 * step's tolerance or a tenth of the L2 error, whichever is larger: an unrelated tensor would miss by as much as
 * it misses element-wise.
 */
public final class LayoutPermutationDiagnoser implements PatternDiagnoser {
    static final double PRESERVED_FRACTION = 0.1;

    @Override
    public Optional<Diagnosis> match(StepResult div, DiagnosisContext ctx) {
        StepMetrics m = div.metrics();
        Tolerance tol = div.tolerance();
        if (m == null || tol == null || m.relL2() == null || m.normDev() == null || m.sketchK() == 0) {
            return Optional.empty();
        }
        double l2 = m.relL2();
        if (!(l2 > tol.relL2() * SketchNoise.acceptFactor(m.sketchK()))) {
            return Optional.empty();
        }
        double preserved = PRESERVED_FRACTION * l2;
        if (m.normDev() > Math.max(tol.norm(), preserved)
                || (m.sumDev() != null && m.sumDev() > Math.max(tol.sum(), preserved))) {
            return Optional.empty();
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("rel_l2", l2);
        ev.put("norm_ratio", m.normRatio());
        if (m.sumDev() != null) {
            ev.put("sum_dev", m.sumDev());
        }
        String rows = "";
        if (m.maxRowNormDev() != null) {
            ev.put("max_row_norm_dev", m.maxRowNormDev());
            if (m.maxRowNormDev() <= tol.row()) {
                rows = "; every row keeps its norm, so values moved within rows";
            }
        }
        return Optional.of(new Diagnosis(DiagnosisCode.LAYOUT_PERMUTATION, div.name(), "sum and norm preserved (norm "
                + "ratio " + Numbers.format(m.normRatio()) + (m.sumDev() == null ? "" : ", sum deviation "
                + Numbers.sci(m.sumDev())) + ") but rel L2 error " + Numbers.sci(l2) + rows + ": the values are "
                + "rearranged (RoPE pairs interleaved vs half-split, head order, query heads reading the wrong key/value heads, "
                + "transposed weight)", ev));
    }
}
