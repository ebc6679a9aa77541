package dev.layerwise.compare;

import dev.layerwise.LayerwiseException;
import dev.layerwise.trace.Stats;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.Trace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Checks repeated runs for bit-identity step by step: SHA-256 equality, or exact equality of every recorded
 * statistic, row sum and sketch entry when a run has no hash. Reports the first nondeterministic step and the
 * spread of each statistic.
 */
public final class DeterminismAnalyzer {
    private static final Map<String, Function<Stats, Double>> STATS = new LinkedHashMap<>();

    static {
        STATS.put("sum", Stats::sum);
        STATS.put("abs_sum", Stats::absSum);
        STATS.put("sum_sq", Stats::sumSq);
        STATS.put("min", Stats::min);
        STATS.put("max", Stats::max);
    }

    private DeterminismAnalyzer() {
    }

    /** @throws LayerwiseException (exit 3) when the runs are not of the same model and input */
    public static DeterminismResult analyze(List<Trace> runs) {
        if (runs.size() < 2) {
            throw new LayerwiseException(LayerwiseException.BAD_INPUT, "determinism needs at least two traces");
        }
        Trace first = runs.get(0);
        for (int i = 1; i < runs.size(); i++) {
            int run = i + 1;
            Comparability.check(first, runs.get(i)).ifPresent(why -> {
                throw new LayerwiseException(LayerwiseException.NOT_COMPARABLE, "run " + run + " ("
                        + runs.get(run - 1).label() + ") is not a repeat of run 1: " + why);
            });
        }
        List<String> names = StepOrder.merge(first.withSteps(union(runs)), first.withSteps(List.of()));
        List<StepDeterminism> out = new ArrayList<>();
        String firstNondeterministic = null;
        for (String name : names) {
            StepDeterminism d = step(name, runs);
            out.add(d);
            if (!d.identical() && firstNondeterministic == null) {
                firstNondeterministic = name;
            }
        }
        return new DeterminismResult(runs, out, firstNondeterministic);
    }

    /** Every step name of any run, once, each after its predecessor in the run that has it (for ordering). */
    private static List<Step> union(List<Trace> runs) {
        Map<String, Step> steps = new LinkedHashMap<>();
        for (Trace t : runs) {
            for (Step s : t.steps()) {
                steps.putIfAbsent(s.name(), s);
            }
        }
        return new ArrayList<>(steps.values());
    }

    private static StepDeterminism step(String name, List<Trace> runs) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            var s = runs.get(i).step(name);
            if (s.isEmpty()) {
                return new StepDeterminism(name, false, "missing", Map.of(), "missing in run " + (i + 1));
            }
            steps.add(s.get());
        }
        Map<String, Double> spread = new LinkedHashMap<>();
        STATS.forEach((stat, get) -> {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Step s : steps) {
                Double v = get.apply(s.stats());
                if (v == null) {
                    return;
                }
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            spread.put(stat, hi == lo ? 0.0 : hi - lo);
        });
        boolean allHashed = steps.stream().allMatch(s -> s.sha256() != null);
        Step a = steps.get(0);
        int differing = 0;
        for (Step s : steps.subList(1, steps.size())) {
            boolean same = allHashed ? a.sha256().equals(s.sha256()) && a.dtype() == s.dtype() : sameRecorded(a, s);
            if (!same) {
                differing++;
            }
        }
        String note = differing == 0 ? "" : differing + " of " + (steps.size() - 1) + " runs differ from run 1";
        return new StepDeterminism(name, differing == 0, allHashed ? "sha256" : "stats", spread, note);
    }

    private static boolean sameRecorded(Step a, Step b) {
        return statsEqual(a.stats(), b.stats()) && Arrays.equals(a.rowSums(), b.rowSums())
                && Arrays.equals(a.rowSumSq(), b.rowSumSq()) && Arrays.equals(a.sketch(), b.sketch());
    }

    /** Exact equality; NaN equals NaN (a NaN recorded twice is a repeat, not a difference). */
    private static boolean statsEqual(Stats a, Stats b) {
        return Double.compare(a.sum(), b.sum()) == 0 && Objects.equals(a.absSum(), b.absSum())
                && Objects.equals(a.sumSq(), b.sumSq()) && Objects.equals(a.min(), b.min())
                && Objects.equals(a.max(), b.max()) && Objects.equals(a.nan(), b.nan())
                && Objects.equals(a.posInf(), b.posInf()) && Objects.equals(a.negInf(), b.negInf())
                && Objects.equals(a.zeros(), b.zeros()) && Objects.equals(a.count(), b.count());
    }
}
