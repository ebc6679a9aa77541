package dev.layerwise.report;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.compare.Numbers;
import dev.layerwise.compare.StepDeterminism;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.trace.Trace;
import java.util.Map;

/** report.md: a table in the style of hand-written comparison notes (step | reference | candidate | deviation). */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    public static String render(Comparison c) {
        StringBuilder md = new StringBuilder();
        md.append("# Layerwise comparison: ").append(headline(c)).append("\n\n");
        md.append("- **Reference**: ").append(esc(StepCells.describe(c.reference()))).append('\n');
        md.append("- **Candidate**: ").append(esc(StepCells.describe(c.candidate()))).append('\n');
        if (!c.comparable()) {
            md.append("\n**Not comparable**: ").append(esc(c.notComparable())).append('\n');
            return md.toString();
        }
        md.append("- **Coverage**: ").append(esc(c.coverage().detail())).append('\n');
        if (c.coverageTooLow()) {
            md.append("- **Insufficient coverage**: ").append(esc(c.coverageShortfall())).append('\n');
        }
        md.append("- **Tolerances**: ").append(esc(c.profile())).append('\n');
        md.append("- **First divergence**: ").append(c.firstDivergence() == null ? "none"
                : MarkdownEscape.code(c.firstDivergence()) + " (" + esc(c.step(c.firstDivergence()).orElseThrow().reason())
                        + ")")
                .append('\n');
        if (!c.diagnoses().isEmpty()) {
            md.append("\n## Diagnoses\n\n");
            for (Diagnosis d : c.diagnoses()) {
                md.append("- **").append(d.code()).append("** at ").append(MarkdownEscape.code(d.step())).append(": ")
                        .append(esc(d.message())).append('\n');
            }
        }
        md.append("\n## Steps\n\n| step | reference | candidate | deviation | | diagnosis |\n|---|---|---|---|---|---|\n");
        for (StepResult r : c.steps()) {
            md.append("| ").append(MarkdownEscape.text(r.name())).append(" | ")
                    .append(esc(StepCells.value(r.reference()))).append(" | ").append(esc(StepCells.value(r.candidate()))).append(" | ").append(esc(StepCells.deviation(r)))
                    .append(" | ").append(StepCells.verdict(r)).append(' ').append(StepCells.verdictWord(r))
                    .append(" | ").append(esc(StepCells.diagnoses(c, r))).append(" |\n");
        }
        String top = StepCells.topVerdict(c);
        if (top != null) {
            md.append("| top prediction | ").append(StepCells.topPrediction(c.reference().topK())).append(" | ")
                    .append(StepCells.topPrediction(c.candidate().topK())).append(" | token id (logit) | ")
                    .append(top).append(" | |\n");
        }
        if (!c.notes().isEmpty()) {
            md.append("\n## Notes\n\n");
            c.notes().forEach(n -> md.append("- ").append(esc(n)).append('\n'));
        }
        return md.toString();
    }

    public static String render(DeterminismResult d) {
        StringBuilder md = new StringBuilder();
        md.append("# Layerwise determinism: ").append(d.deterministic() ? "DETERMINISTIC" : "NONDETERMINISTIC")
                .append("\n\n");
        int i = 0;
        for (Trace t : d.runs()) {
            md.append("- **Run ").append(++i).append("**: ").append(esc(StepCells.describe(t))).append('\n');
        }
        md.append("- **First nondeterministic step**: ")
                .append(d.firstNondeterministic() == null ? "none" : MarkdownEscape.code(d.firstNondeterministic()))
                .append("\n\n| step | identical | basis | spread of sum | spread of sum_sq | spread of max | note |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (StepDeterminism s : d.steps()) {
            md.append("| ").append(MarkdownEscape.text(s.name())).append(" | ").append(s.identical() ? "yes" : "NO").append(" | ")
                    .append(s.basis()).append(" | ").append(spread(s.spread(), "sum")).append(" | ")
                    .append(spread(s.spread(), "sum_sq")).append(" | ").append(spread(s.spread(), "max")).append(" | ")
                    .append(esc(s.note())).append(" |\n");
        }
        return md.toString();
    }

    static String spread(Map<String, Double> spread, String stat) {
        Double v = spread.get(stat);
        return v == null ? "—" : Numbers.sci(v);
    }

    static String headline(Comparison c) {
        return switch (c.verdict()) {
            case "pass" -> "PASS" + (c.coverage().full() ? "" : " on " + c.coverage().counted());
            case "fail" -> "FAIL, divergence at " + MarkdownEscape.code(c.firstDivergence());
            case "insufficient_coverage" -> "INSUFFICIENT COVERAGE (" + c.coverage().counted() + ")";
            default -> "not comparable";
        };
    }

    /** Text from a trace or quoting it; backtick-quoted names become code spans. */
    private static String esc(String s) {
        return MarkdownEscape.inline(s);
    }
}
