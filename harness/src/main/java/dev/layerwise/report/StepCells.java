package dev.layerwise.report;

import dev.layerwise.compare.Check;
import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.StepFacts;
import dev.layerwise.compare.StepMetrics;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.Tolerance;
import dev.layerwise.compare.Verdict;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.TopLogit;
import dev.layerwise.trace.Trace;
import java.util.List;
import java.util.stream.Collectors;

/** The text of one comparison row, shared by the Markdown, HTML and console reports. */
final class StepCells {
    private StepCells() {
    }

    static String value(Step s) {
        return s == null ? "—" : StepFacts.describeSum(s);
    }

    /** The deviation column: the deciding metric against its limit. */
    static String deviation(StepResult r) {
        if (!r.inBoth()) {
            return r.reason();
        }
        StepMetrics m = r.metrics();
        if (Boolean.TRUE.equals(m.bitIdentical())) {
            return "bit-identical";
        }
        Check worst = r.worst();
        if (worst != null) {
            if (worst.isEvidence()) {
                return r.reason();
            }
            return worst.metric() + " " + Numbers.sci(worst.value()) + " > " + Numbers.sci(worst.limit());
        }
        Tolerance t = r.tolerance();
        if (m.lastRow() != null) {
            return lastRowDeviation(m, t, r.reason());
        }
        if (m.relL2() != null) {
            return "rel_l2 " + Numbers.sci(m.relL2()) + (m.relL2() <= t.relL2() ? " ≤ " : " ≈ ") + Numbers.sci(t.relL2());
        }
        if (m.sumDev() != null) {
            return "sum_dev " + Numbers.sci(m.sumDev()) + " ≤ " + Numbers.sci(t.sum()) + ", within tolerance";
        }
        if (m.sumOnlyDev() != null) {
            return "Δsum/|sum| " + Numbers.sci(m.sumOnlyDev()) + " ≤ " + Numbers.sci(t.sumOnly()) + ", within tolerance";
        }
        return r.reason();
    }

    /** A passing last-row pair: the row's deviations against the row limits. */
    private static String lastRowDeviation(StepMetrics m, Tolerance t, String reason) {
        String d;
        if (m.sumDev() != null) {
            d = "last row: Δsum/rowabs " + Numbers.sci(m.sumDev()) + " ≤ " + Numbers.sci(t.row());
        } else if (m.sumOnlyDev() != null) {
            d = "last row: Δsum/|sum| " + Numbers.sci(m.sumOnlyDev()) + " ≤ " + Numbers.sci(t.sumOnly());
        } else {
            return reason;
        }
        if (m.normDev() != null) {
            d += ", norm " + Numbers.sci(m.normDev()) + " ≤ " + Numbers.sci(t.row());
        }
        return d + ", within tolerance";
    }

    static String verdict(StepResult r) {
        return r.verdict().symbol();
    }

    static String verdictWord(StepResult r) {
        return switch (r.verdict()) {
            case PASS -> "pass";
            case MARGINAL -> "marginal";
            case LOW_CONFIDENCE -> "low confidence";
            case FAIL -> "divergence";
            case PROPAGATED -> "propagated";
            case SKIPPED -> "skipped";
        };
    }

    static String diagnoses(Comparison c, StepResult r) {
        return c.diagnosesFor(r.name()).stream().map(d -> d.code() + ": " + d.message())
                .collect(Collectors.joining("; "));
    }

    static String topPrediction(List<TopLogit> top) {
        return top.isEmpty() ? "—" : top.get(0).tokenId() + " (" + Numbers.format(top.get(0).logit()) + ")";
    }

    /** The pass mark when both traces predict the same top token, the fail mark when not, null when either lacks top_k. */
    static String topVerdict(Comparison c) {
        List<TopLogit> a = c.reference().topK();
        List<TopLogit> b = c.candidate().topK();
        if (a.isEmpty() || b.isEmpty()) {
            return null;
        }
        return a.get(0).tokenId() == b.get(0).tokenId() ? Verdict.PASS.symbol() : Verdict.FAIL.symbol();
    }

    static String describe(Trace t) {
        String producer = t.producer() == null ? "unknown producer" : t.producer().describe();
        String details = t.dtype().traceName() + ", " + t.input().tokenIds().length + " tokens)";
        // A trace not read from a file is labelled by its producer: say it once.
        return t.label().equals(producer) ? producer + " (" + details : t.label() + " (" + producer + ", " + details;
    }

    /** The spread of each statistic across runs, formatted like every other number: {@code sum 1.21e-07, max 0}. */
    static String spread(java.util.Map<String, Double> spread) {
        StringBuilder b = new StringBuilder();
        spread.forEach((stat, v) -> b.append(b.isEmpty() ? "" : ", ").append(stat).append(' ').append(Numbers.sci(v)));
        return b.isEmpty() ? "—" : b.toString();
    }

    static String diagnosisLine(Diagnosis d) {
        return d.code() + " at " + d.step() + ": " + d.message();
    }
}
