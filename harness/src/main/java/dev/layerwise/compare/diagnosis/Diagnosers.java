package dev.layerwise.compare.diagnosis;

import dev.layerwise.compare.StepResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The registry: trace-wide diagnosers (all run) and pattern diagnosers for the divergence step (first match wins,
 * in registration order: identity evidence before row patterns before global statistics).
 */
public final class Diagnosers {
    private final List<Diagnoser> scans;
    private final List<PatternDiagnoser> patterns;

    public Diagnosers(List<Diagnoser> scans, List<PatternDiagnoser> patterns) {
        this.scans = List.copyOf(scans);
        this.patterns = List.copyOf(patterns);
    }

    public static Diagnosers defaults() {
        return new Diagnosers(
                List.of(new NonFiniteDiagnoser(), new ZeroOutputDiagnoser(), new ZeroFromNonZeroInputDiagnoser(),
                        new FfnIneffectiveDiagnoser()),
                List.of(new MissingResidualDiagnoser(), new StaleBufferDiagnoser(), new SwappedInputsDiagnoser(),
                        new CausalMaskDiagnoser(), new AttentionScaleDiagnoser(), new LocalizedRowsDiagnoser(), new PositionOffsetDiagnoser(),
                        new ScaleFactorDiagnoser(),
                        new HalfPrecisionAccumulationDiagnoser(), new LayoutPermutationDiagnoser()));
    }

    /** A registry with one more trace-wide diagnoser. */
    public Diagnosers with(Diagnoser extra) {
        List<Diagnoser> s = new ArrayList<>(scans);
        s.add(extra);
        return new Diagnosers(s, patterns);
    }

    /** A registry with one more pattern, tried after the built-in ones. */
    public Diagnosers with(PatternDiagnoser extra) {
        List<PatternDiagnoser> p = new ArrayList<>(patterns);
        p.add(extra);
        return new Diagnosers(scans, p);
    }

    /** All diagnoses, in canonical step order. */
    public List<Diagnosis> run(DiagnosisContext ctx) {
        List<Diagnosis> out = new ArrayList<>();
        for (Diagnoser d : scans) {
            out.addAll(d.diagnose(ctx));
        }
        StepResult div = ctx.firstDivergence() == null ? null : ctx.result(ctx.firstDivergence());
        if (div != null && div.inBoth() && out.stream().noneMatch(d -> d.step().equals(div.name()))) {
            for (PatternDiagnoser p : patterns) {
                var match = p.match(div, ctx);
                if (match.isPresent()) {
                    out.add(match.get());
                    break;
                }
            }
        }
        List<String> order = ctx.results().stream().map(StepResult::name).toList();
        out.sort(Comparator.comparingInt(d -> {
            int i = order.indexOf(d.step());
            return i < 0 ? Integer.MAX_VALUE : i;
        }));
        return out;
    }
}
