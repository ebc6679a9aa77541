package dev.layerwise.report;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.compare.StepDeterminism;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.Verdict;
import dev.layerwise.compare.diagnosis.Diagnosis;
import java.io.PrintWriter;
import java.util.List;

/**
 * The concise table printed to stdout: the verdict, the coverage (how many reference steps were compared and which
 * were not), the step rows ({@link #rows}) and the diagnoses.
 */
public final class ConsoleSummary {
    static final int MAX_ROWS = 40;

    private ConsoleSummary() {
    }

    public static void print(Comparison c, PrintWriter console) {
        PrintWriter out = ConsoleText.writer(console);
        out.println("layerwise compare: " + c.verdict().toUpperCase(java.util.Locale.ROOT)
                + (c.firstDivergence() == null ? "" : ": first divergence at " + c.firstDivergence()));
        out.println("  reference: " + StepCells.describe(c.reference()));
        out.println("  candidate: " + StepCells.describe(c.candidate()));
        if (!c.comparable()) {
            out.println("  not comparable: " + c.notComparable());
            out.flush();
            return;
        }
        out.println("  " + c.coverage().describe());
        if (c.coverageTooLow()) {
            out.println("  insufficient coverage: " + c.coverageShortfall());
        }
        List<StepResult> rows = rows(c.steps());
        long inBoth = c.steps().stream().filter(StepResult::inBoth).count();
        if (rows.isEmpty()) {
            out.println("  all " + inBoth + " compared steps pass (" + c.steps().stream()
                    .filter(s -> s.inBoth() && Boolean.TRUE.equals(s.metrics().bitIdentical())).count()
                    + " bit-identical)");
        } else {
            int w = Math.max(4, rows.stream().mapToInt(s -> s.name().length()).max().orElse(4));
            out.printf("  %-" + w + "s  %-2s %-15s %-16s %-16s %s%n", "step", "", "verdict", "reference", "candidate",
                    "deviation");
            for (StepResult r : rows) {
                out.printf("  %-" + w + "s  %-2s %-15s %-16s %-16s %s%n", r.name(), r.verdict().symbol(),
                        StepCells.verdictWord(r), clip(StepCells.value(r.reference())),
                        clip(StepCells.value(r.candidate())), StepCells.deviation(r));
            }
        }
        if (!rows.isEmpty() && rows.size() < c.steps().size()) {
            long oneSided = c.steps().size() - inBoth;
            out.println("  (" + (c.steps().size() - rows.size()) + " more steps not shown: "
                    + c.steps().stream().filter(s -> s.inBoth() && s.verdict() == Verdict.PASS).count() + " of "
                    + inBoth + " compared steps pass" + (oneSided == 0 ? "" : ", " + oneSided + " in one trace only")
                    + ")");
        }
        for (Diagnosis d : c.diagnoses()) {
            out.println("  diagnosis: " + StepCells.diagnosisLine(d));
        }
        out.flush();
    }

    /**
     * Small comparisons show every row. Larger ones show the steps both traces record (one-sided rows are summed up
     * by the coverage line, so they never push a compared step off the screen); beyond {@link #MAX_ROWS} of those,
     * the ones that are not a plain pass.
     */
    static List<StepResult> rows(List<StepResult> steps) {
        if (steps.size() <= MAX_ROWS) {
            return steps;
        }
        List<StepResult> inBoth = steps.stream().filter(StepResult::inBoth).toList();
        if (inBoth.size() <= MAX_ROWS) {
            return inBoth;
        }
        return inBoth.stream().filter(s -> s.verdict() != Verdict.PASS).limit(MAX_ROWS).toList();
    }

    public static void print(DeterminismResult d, PrintWriter console) {
        PrintWriter out = ConsoleText.writer(console);
        out.println("layerwise determinism: " + d.verdict().toUpperCase(java.util.Locale.ROOT) + " over " + d.runs().size()
                + " runs" + (d.firstNondeterministic() == null ? "" : ": first nondeterministic step "
                + d.firstNondeterministic()));
        long identical = d.steps().stream().filter(StepDeterminism::identical).count();
        out.println("  " + identical + " of " + d.steps().size() + " steps identical in every run");
        d.steps().stream().filter(s -> !s.identical()).limit(MAX_ROWS).forEach(s -> out.println("  " + Verdict.FAIL.symbol() + " " + s.name()
                + " (" + s.basis() + "): " + s.note() + "; spread " + StepCells.spread(s.spread())));
        out.flush();
    }

    private static String clip(String s) {
        return s.length() <= 16 ? s : s.substring(0, 15) + "…";
    }
}
