package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.StepMetrics;
import dev.layerwise.compare.StepPrecision;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.Tolerance;
import dev.layerwise.compare.TraceDims;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.StepKind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A reduction (projection, attention scores or context) whose error is rounding noise of the size a half-precision
 * accumulator leaves over its n terms, without the candidate declaring that accumulator. Recursive summation in
 * precision u rounds each partial sum, whose size grows like sqrt(k) for terms of random sign, so the result's
 * relative error is about u * sqrt(n / 6) (docs/tolerances.md). The pattern: the error is noise (norm and sum kept,
 * which a dropped term, a scale or a wrong row would not do), its size is within a factor of that prediction for
 * float16 or bfloat16, and far above what a float32 accumulator leaves. A declared half accumulation is judged by
 * its own tolerance instead (StepPrecision).
 */
public final class HalfPrecisionAccumulationDiagnoser implements PatternDiagnoser {
    /** The error must lie within [LOW, HIGH] x u_h * sqrt(n): wide, as summation orders differ (pairwise sums less). */
    static final double LOW = 1.0 / 20;
    static final double HIGH = 3.0;
    /** Noise keeps the norm: its deviation stays under this share of the L2 error (a scale error has norm = L2). */
    static final double NORM_SHARE = 0.25;

    @Override
    public Optional<Diagnosis> match(StepResult div, DiagnosisContext ctx) {
        StepMetrics m = div.metrics();
        Tolerance tol = div.tolerance();
        if (m == null || tol == null || m.normDev() == null || div.candidate() == null) {
            return Optional.empty();
        }
        Optional<StepKind> kind = StepKind.of(div.name());
        if (kind.isEmpty() || !isReduction(kind.get().op())) {
            return Optional.empty();
        }
        DType declared = div.candidate().accumulation();
        if (declared != null && declared.unitRoundoff() > StepPrecision.defaultAccumulation(div.candidate().dtype())
                .unitRoundoff()) {
            return Optional.empty();
        }
        Double error = m.relL2() != null ? m.relL2() : m.relL2Bound();
        if (error == null || !(error > tol.relL2())) {
            return Optional.empty();
        }
        if (m.normDev() > Math.max(tol.norm(), NORM_SHARE * error)
                || (m.sumDev() != null && m.sumDev() > Math.max(tol.sum(), NORM_SHARE * error))) {
            return Optional.empty();
        }
        long n = TraceDims.of(ctx.reference()).reductionLength(div.name());
        if (n < 16) {
            return Optional.empty();
        }
        DType half = div.candidate().dtype() == DType.BFLOAT16 ? DType.BFLOAT16 : DType.FLOAT16;
        double expected = half.unitRoundoff() * Math.sqrt(n / 6.0);
        double ratio = error / expected;
        if (ratio < LOW || ratio > HIGH) {
            return Optional.empty();
        }
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("rel_l2", error);
        ev.put("norm_ratio", m.normRatio());
        ev.put("reduction_length", n);
        ev.put("expected_" + half.traceName() + "_accumulation_rel_l2", expected);
        return Optional.of(new Diagnosis(DiagnosisCode.HALF_PRECISION_ACCUMULATION, div.name(), "rounding noise of "
                + Numbers.sci(error) + " (norm and sum kept) where a " + half.traceName() + " accumulator over "
                + n + " terms leaves about " + Numbers.sci(expected) + " and float32 far less: the kernel accumulates "
                + "in half precision (declare \"accumulation\" in the trace if that is intended)", ev));
    }

    private static boolean isReduction(StepKind.Op op) {
        return op == StepKind.Op.LINEAR || op == StepKind.Op.ATTENTION_PROBS || op == StepKind.Op.ATTENTION_CONTEXT;
    }
}
