package dev.layerwise.margins;

import dev.layerwise.LayerwiseException;
import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.compare.diagnosis.DiagnosisCode;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.trace.ModelDims;
import dev.layerwise.trace.StepKind;
import dev.layerwise.trace.Trace;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.stream.Collectors;

/**
 * The sensitivity benchmark (docs/tolerances.md): for each planted fault of {@link SensitivityProbe#all}, preset and
 * dtype, the smallest strength at which comparing the cpu engine with {@code --inject} against the Hugging Face
 * reference puts the first divergence exactly at the faulted step with the expected diagnosis, next to the clean
 * spread of that step kind (the worst margin, {@link Margin}, of the clean cpu run's steps of that kind). Faults
 * without a strength are reported caught or not. Prints one markdown table per preset; progress goes to stderr.
 * Run by {@code scripts/measure_sensitivity.sh}; {@link SensitivityOptions} gives the flags.
 */
public final class SensitivityTool {
    private final SensitivityOptions options;
    private final PrintStream out;
    private final PrintStream progress;
    private final TraceComparator comparator = TraceComparator.create();

    SensitivityTool(SensitivityOptions options, PrintStream out, PrintStream progress) {
        this.options = options;
        this.out = out;
        this.progress = progress;
    }

    public static void main(String[] args) {
        try {
            new SensitivityTool(SensitivityOptions.parse(args), System.out, System.err).measure();
        } catch (LayerwiseException e) {
            System.err.println("measure_sensitivity: " + e.getMessage());
            System.exit(e.exitCode());
        }
    }

    void measure() {
        try (SyntheticRuns runs = new SyntheticRuns()) {
            for (String preset : options.presets()) {
                measurePreset(preset, runs);
            }
        }
    }

    private void measurePreset(String preset, SyntheticRuns runs) {
        Map<String, Map<String, String>> cells = new LinkedHashMap<>();
        Map<String, SensitivityProbe> probes = new LinkedHashMap<>();
        String shape = null;
        int layer = 0;
        for (String dtype : options.dtypes()) {
            Trace reference = SensitivityReferences.read(options.root(), preset, dtype);
            ModelDims dims = ModelDims.fromConfig(reference.model().config(), reference.source());
            layer = options.layer(dims.layers());
            shape = String.format(Locale.ROOT, "H %d, I %d, %d layers, %d heads / %d KV heads, %d tokens",
                    dims.hidden(), dims.intermediate(), dims.layers(), dims.heads(), dims.kvHeads(),
                    reference.input().tokenIds().length);
            long start = System.nanoTime();
            Comparison clean = comparator.compare(reference, runs.run(reference, EngineKind.CPU, List.of()));
            progress.printf(Locale.ROOT, "%s %s: clean run %s (%.1f s)%n", preset, dtype, clean.verdict(),
                    (System.nanoTime() - start) / 1e9);
            for (SensitivityProbe probe : SensitivityProbe.all(dims, layer)) {
                if (!options.selects(probe.name())) {
                    continue;
                }
                probes.put(probe.name(), probe);
                long t0 = System.nanoTime();
                String cell = measure(probe, layer, reference, runs) + "; clean " + describe(
                        cleanSpread(clean, probe.step()));
                cells.computeIfAbsent(probe.name(), k -> new LinkedHashMap<>()).put(dtype, cell);
                progress.printf(Locale.ROOT, "%s %s %s: %s (%.1f s)%n", preset, dtype, probe.name(), cell,
                        (System.nanoTime() - t0) / 1e9);
            }
        }
        print(preset, shape, layer, probes, cells);
    }

    /** The cell of one probe: the smallest strength caught, or whether a fault without strength is caught. */
    private String measure(SensitivityProbe probe, int layer, Trace reference, SyntheticRuns runs) {
        String step = probe.stepName(layer);
        Map<Double, Comparison> seen = new LinkedHashMap<>();
        DoublePredicate caught = s -> {
            Comparison c = comparator.compare(reference,
                    runs.run(reference, EngineKind.CPU, List.of(probe.inject(layer, s))));
            seen.put(s, c);
            return caughtAtStep(c, step, probe.expected());
        };
        if (probe.strength() == SensitivityProbe.Strength.NONE) {
            caught.test(0);
            Comparison c = seen.get(0.0);
            if (caughtAtStep(c, step, probe.expected())) {
                return "yes " + codes(c, step);
            }
            return step.equals(c.firstDivergence()) ? "**located, not diagnosed** " + codes(c, step)
                    : "**no**: first divergence " + (c.firstDivergence() == null ? "none" : "`" + c.firstDivergence()
                            + "`");
        }
        StrengthSearch.Found found = switch (probe.strength()) {
            case COUNT -> StrengthSearch.integer((int) probe.maxStrength(), n -> caught.test(n));
            default -> StrengthSearch.continuous(reference.dtype().unitRoundoff() / 2, probe.maxStrength(),
                    options.steps(), caught);
        };
        if (found.bound() == StrengthSearch.Bound.NOT_CAUGHT) {
            Comparison c = seen.get(probe.maxStrength());
            return "**not caught at " + probe.describe(probe.maxStrength()) + "** (first divergence "
                    + (c.firstDivergence() == null ? "none" : "`" + c.firstDivergence() + "`") + ")";
        }
        String value = (found.bound() == StrengthSearch.Bound.AT_MOST ? "<= " : "")
                + probe.describe(found.strength());
        return (probe.expected() == null ? value + " " + codes(seen.get(found.strength()), step) : value)
                + locatedBelow(probe, step, found.strength(), seen);
    }

    /**
     * " (at 1: located, diagnosed (SCALE_FACTOR))" when the largest strength tried below the one found was localized
     * at its step but without the expected diagnosis: then the diagnosis, not the tolerance, set the threshold.
     */
    private static String locatedBelow(SensitivityProbe probe, String step, double found, Map<Double, Comparison> seen) {
        double below = seen.keySet().stream().filter(s -> s < found).mapToDouble(Double::doubleValue).max()
                .orElse(Double.NaN);
        Comparison c = seen.get(below);
        if (Double.isNaN(below) || !step.equals(c.firstDivergence())) {
            return "";
        }
        return " (at " + probe.describe(below) + ": located, diagnosed " + codes(c, step) + ")";
    }

    /** Caught at its step: the first divergence is the faulted step, with the expected diagnosis there if any. */
    static boolean caughtAtStep(Comparison c, String step, DiagnosisCode expected) {
        return step.equals(c.firstDivergence()) && (expected == null
                || c.diagnosesFor(step).stream().map(Diagnosis::code).anyMatch(expected::equals));
    }

    private static String codes(Comparison c, String step) {
        List<DiagnosisCode> codes = c.diagnosesFor(step).stream().map(Diagnosis::code).distinct().toList();
        return codes.isEmpty() ? "(no diagnosis)"
                : "(" + codes.stream().map(DiagnosisCode::name).collect(Collectors.joining(", ")) + ")";
    }

    /** The worst margin of the clean run's steps of this kind, over every layer (null when none was compared). */
    static Margin cleanSpread(Comparison clean, StepKind kind) {
        Margin worst = null;
        for (StepResult r : clean.steps()) {
            if (StepKind.of(r.name()).filter(kind::equals).isPresent()) {
                Margin m = Margin.of(r);
                if (worst == null || m.ratio() > worst.ratio()) {
                    worst = m;
                }
            }
        }
        return worst;
    }

    /** "0.0179 (rel_l2 2.4e-04)": the clean margin and the metric value behind it. */
    private static String describe(Margin m) {
        if (m == null) {
            return "not compared";
        }
        return m.value() == 0 ? Margin.format(m.ratio()) + " (" + m.metric() + ")"
                : String.format(Locale.ROOT, "%s (%s %.2g)", Margin.format(m.ratio()), m.metric(), m.value());
    }

    private void print(String preset, String shape, int layer, Map<String, SensitivityProbe> probes,
            Map<String, Map<String, String>> cells) {
        out.printf(Locale.ROOT, "#### `%s` (%s), faults on layer %d%n%n", preset, shape, layer);
        StringBuilder header = new StringBuilder("| fault | `--inject` | expected diagnosis |");
        StringBuilder rule = new StringBuilder("|---|---|---|");
        for (String dtype : options.dtypes()) {
            header.append(' ').append(dtype).append(" |");
            rule.append("---|");
        }
        out.println(header);
        out.println(rule);
        for (SensitivityProbe probe : probes.values()) {
            StringBuilder line = new StringBuilder("| " + probe.name() + " | `" + probe.template(layer) + "` | "
                    + (probe.expected() == null ? "any (listed)" : probe.expected().name()) + " |");
            for (String dtype : options.dtypes()) {
                line.append(' ').append(cells.get(probe.name()).getOrDefault(dtype, "")).append(" |");
            }
            out.println(line);
        }
        out.println();
    }
}
