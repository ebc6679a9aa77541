package dev.layerwise.report;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.compare.StepDeterminism;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.Verdict;
import dev.layerwise.compare.diagnosis.Diagnosis;
import dev.layerwise.trace.Trace;
import java.util.function.Supplier;

/** report.html: self-contained (inline CSS, inline SVG charts from {@link Charts}), no external resources. */
public final class HtmlReport {
    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
            table{border-collapse:collapse;font-size:13px;width:100%}
            th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
            th{background:#f3f3f3} td.num{font-family:monospace}
            tr.fail td{background:#fde8e8} tr.propagated td{background:#fff4e5} tr.marginal td,tr.low_confidence td{background:#fffbe0}
            tr.skipped td{color:#888} .diag{margin:.3em 0} code{background:#f3f3f3;padding:0 3px}
            figure{margin:1em 0} svg{max-width:100%;height:auto} svg.icon{vertical-align:-2px}
            """;

    private HtmlReport() {
    }

    public static String render(Comparison c) {
        StringBuilder h = start("Layerwise comparison");
        h.append("<h1>Layerwise comparison: ").append(headline(c)).append("</h1>\n<ul>");
        h.append("<li><b>Reference</b>: ").append(esc(StepCells.describe(c.reference()))).append("</li>");
        h.append("<li><b>Candidate</b>: ").append(esc(StepCells.describe(c.candidate()))).append("</li>");
        if (!c.comparable()) {
            h.append("</ul><p><b>Not comparable</b>: ").append(HtmlEscape.inline(c.notComparable())).append("</p>");
            return end(h);
        }
        h.append("<li><b>Coverage</b>: ").append(esc(c.coverage().detail())).append("</li>");
        if (c.coverageTooLow()) {
            h.append("<li><b>Insufficient coverage</b>: ").append(esc(c.coverageShortfall())).append("</li>");
        }
        h.append("<li><b>Tolerances</b>: ").append(esc(c.profile())).append("</li>");
        h.append("<li><b>First divergence</b>: ").append(c.firstDivergence() == null ? "none"
                : "<code>" + esc(c.firstDivergence()) + "</code>").append("</li></ul>\n");
        if (!c.diagnoses().isEmpty()) {
            h.append("<h2>Diagnoses</h2>\n");
            for (Diagnosis d : c.diagnoses()) {
                h.append("<p class=diag><b>").append(d.code()).append("</b> at <code>").append(esc(d.step()))
                        .append("</code>: ").append(HtmlEscape.inline(d.message())).append("</p>\n");
            }
        }
        h.append("<h2>Charts</h2>\n").append(figure(() -> Charts.errorPerStep(c)));
        h.append(figure(() -> Charts.errorPerLayer(c)));
        StepResult div = c.firstDivergence() == null ? null : c.step(c.firstDivergence()).orElseThrow();
        if (div != null && div.metrics() != null && div.metrics().rowDeviation() != null) {
            h.append(figure(() -> Charts.perRow(div)));
        }
        h.append("<h2>Steps</h2>\n<table><tr><th>step</th><th>reference</th><th>candidate</th><th>deviation</th>"
                + "<th></th><th>diagnosis</th></tr>\n");
        for (StepResult r : c.steps()) {
            h.append("<tr class=").append(r.verdict().jsonName()).append("><td>").append(esc(r.name()))
                    .append("</td><td class=num>").append(esc(StepCells.value(r.reference())))
                    .append("</td><td class=num>").append(esc(StepCells.value(r.candidate())))
                    .append("</td><td>").append(HtmlEscape.inline(StepCells.deviation(r))).append("</td><td>")
                    .append(HtmlIcons.of(r.verdict())).append(' ').append(StepCells.verdictWord(r)).append("</td><td>")
                    .append(HtmlEscape.inline(StepCells.diagnoses(c, r))).append("</td></tr>\n");
        }
        String top = StepCells.topVerdict(c);
        if (top != null) {
            h.append("<tr><td>top prediction</td><td class=num>").append(StepCells.topPrediction(c.reference().topK()))
                    .append("</td><td class=num>").append(StepCells.topPrediction(c.candidate().topK()))
                    .append("</td><td>token id (logit)</td><td>").append(topIcon(c)).append("</td><td></td></tr>\n");
        }
        h.append("</table>\n");
        if (!c.notes().isEmpty()) {
            h.append("<h2>Notes</h2><ul>");
            c.notes().forEach(n -> h.append("<li>").append(HtmlEscape.inline(n)).append("</li>"));
            h.append("</ul>\n");
        }
        return end(h);
    }

    public static String render(DeterminismResult d) {
        StringBuilder h = start("Layerwise determinism");
        h.append("<h1>Layerwise determinism: ").append(d.deterministic() ? HtmlIcons.of(Verdict.PASS) + " deterministic"
                        : HtmlIcons.of(Verdict.FAIL) + " nondeterministic")
                .append("</h1>\n<ul>");
        int i = 0;
        for (Trace t : d.runs()) {
            h.append("<li><b>Run ").append(++i).append("</b>: ").append(esc(StepCells.describe(t))).append("</li>");
        }
        h.append("<li><b>First nondeterministic step</b>: ").append(d.firstNondeterministic() == null ? "none"
                : "<code>" + esc(d.firstNondeterministic()) + "</code>").append("</li></ul>\n");
        h.append(figure(() -> Charts.determinismSpread(d)));
        h.append("<table><tr><th>step</th><th>identical</th><th>basis</th><th>spread of sum</th>"
                + "<th>spread of sum_sq</th><th>spread of max</th><th>note</th></tr>\n");
        for (StepDeterminism s : d.steps()) {
            h.append("<tr class=").append(s.identical() ? "pass" : "fail").append("><td>").append(esc(s.name()))
                    .append("</td><td>").append(s.identical() ? HtmlIcons.of(Verdict.PASS) + " yes"
                            : HtmlIcons.of(Verdict.FAIL) + " no").append("</td><td>").append(s.basis())
                    .append("</td><td class=num>").append(MarkdownReport.spread(s.spread(), "sum"))
                    .append("</td><td class=num>").append(MarkdownReport.spread(s.spread(), "sum_sq"))
                    .append("</td><td class=num>").append(MarkdownReport.spread(s.spread(), "max"))
                    .append("</td><td>").append(HtmlEscape.inline(s.note())).append("</td></tr>\n");
        }
        h.append("</table>\n");
        return end(h);
    }

    /**
     * A chart as a figure, or, where Java2D cannot draw on this machine, a note saying why: the charts measure text
     * with the system's fonts, and a minimal container has none ("Fontconfig head is null"). The rest of the report,
     * the other formats and the verdict do not depend on them.
     */
    static String figure(Supplier<String> chart) {
        try {
            return "<figure>" + chart.get() + "</figure>\n";
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return "<p class=note>Chart not drawn: " + esc(cause) + " (Java2D draws chart text with the system's"
                    + " fonts; e.g. <code>apt-get install fontconfig fonts-dejavu-core</code>).</p>\n";
        }
    }

    private static StringBuilder start(String title) {
        return new StringBuilder("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>").append(title)
                .append("</title>\n<style>").append(CSS).append("</style></head><body>\n");
    }

    private static String end(StringBuilder h) {
        return h.append("</body></html>\n").toString();
    }

    private static String headline(Comparison c) {
        return switch (c.verdict()) {
            case "pass" -> HtmlIcons.of(Verdict.PASS) + " pass" + (c.coverage().full() ? ""
                    : " on " + esc(c.coverage().counted()));
            case "fail" -> HtmlIcons.of(Verdict.FAIL) + " divergence at <code>" + esc(c.firstDivergence()) + "</code>";
            case "insufficient_coverage" -> HtmlIcons.of(Verdict.FAIL) + " insufficient coverage ("
                    + esc(c.coverage().counted()) + ")";
            default -> "not comparable";
        };
    }

    /** The top-prediction row: same top token in both traces, or not. */
    private static String topIcon(Comparison c) {
        boolean same = c.reference().topK().get(0).tokenId() == c.candidate().topK().get(0).tokenId();
        return same ? HtmlIcons.of(Verdict.PASS) + " same" : HtmlIcons.of(Verdict.FAIL) + " differs";
    }

    static String esc(String s) {
        return HtmlEscape.text(s);
    }
}
