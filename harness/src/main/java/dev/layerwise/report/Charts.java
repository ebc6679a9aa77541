package dev.layerwise.report;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.compare.StepDeterminism;
import dev.layerwise.compare.StepResult;
import dev.layerwise.trace.CanonicalSteps;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Rectangle2D;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/** The report charts, drawn by JFreeChart into inline SVG (JFreeSVG), headless. */
public final class Charts {
    /** Where a zero (bit-identical) error is drawn on the log axis. */
    static final double LOG_FLOOR = 1e-12;
    private static final int WIDTH = 900;
    private static final int HEIGHT = 320;
    /** Charts over steps: room below the plot for vertical step names. */
    private static final int STEP_CHART_HEIGHT = 460;

    static {
        System.setProperty("java.awt.headless", "true");
        // rotated labels (the step names, the y axis title) as SVG text, not as glyph outlines: readable,
        // searchable and a fraction of the size
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    private Charts() {
    }

    /**
     * Loads and initializes JFreeChart, JFreeSVG and Java2D's fonts on a daemon thread by drawing a small chart that
     * is thrown away. A command that will write an HTML report calls it before reading its inputs, so that this cold
     * cost (about 0.6 s of a 2.4 s {@code compare}, measured in docs/performance.md) runs on another core meanwhile.
     * Any failure is left to the real chart to report.
     */
    public static void warmUpInBackground() {
        Thread warmUp = new Thread(() -> {
            try {
                XYSeries a = new XYSeries("a");
                a.add(1, 1e-3);
                XYSeries b = new XYSeries("b");
                b.add(1, 1e-2);
                svg("warm-up", logChart("warm-up", "x", "y", a, b));
            } catch (RuntimeException | LinkageError e) {
                // nothing to do: the report's own charts fail with their message if the problem is real
            }
        }, "layerwise-chart-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    /** Each compared step's headline error against its tolerance, log scale, in canonical order. */
    public static String errorPerStep(Comparison c) {
        XYSeries error = new XYSeries("error (rel L2, or sum deviation)");
        XYSeries tol = new XYSeries("tolerance");
        int x = 0;
        for (StepResult r : c.steps()) {
            x++;
            if (r.metrics() == null || r.metrics().headline() == null) {
                continue;
            }
            error.add(x, clamp(r.metrics().headline()));
            tol.add(x, clamp(headlineLimit(r)));
        }
        JFreeChart chart = logChart("Error per step (bit-identical drawn at 1e-12)", "step (canonical order)",
                "relative error", error, tol);
        chart.getXYPlot().setDomainAxis(new StepAxis("step (canonical order)",
                c.steps().stream().map(StepResult::name).toList()));
        return svg("error-per-step", chart, STEP_CHART_HEIGHT);
    }

    /** Per layer, the worst error / tolerance of its steps (1 = at tolerance). */
    public static String errorPerLayer(Comparison c) {
        XYSeries worst = new XYSeries("worst error / tolerance");
        XYSeries one = new XYSeries("tolerance");
        java.util.Map<Integer, Double> byLayer = new java.util.TreeMap<>();
        for (StepResult r : c.steps()) {
            int layer = CanonicalSteps.layerOf(r.name());
            if (layer < 0 || r.metrics() == null || r.metrics().headline() == null) {
                continue;
            }
            double limit = headlineLimit(r);
            double ratio = limit == 0 ? 0 : r.metrics().headline() / limit;
            byLayer.merge(layer, Double.isNaN(ratio) ? Double.MAX_VALUE : ratio, Math::max);
        }
        byLayer.forEach((layer, ratio) -> {
            worst.add((double) layer, clamp(ratio));
            one.add((double) layer, 1.0);
        });
        return svg("error-per-layer", logChart("Error per layer", "layer", "error / tolerance", worst, one));
    }

    /** The per-row deviation of one step against its row tolerance. */
    public static String perRow(StepResult r) {
        XYSeries dev = new XYSeries("row deviation");
        XYSeries tol = new XYSeries("row tolerance");
        double[] d = r.metrics().rowDeviation();
        for (int i = 0; i < d.length; i++) {
            dev.add(i, clamp(d[i]));
            tol.add(i, clamp(r.tolerance().row()));
        }
        return svg("rows-" + r.name(), logChart("Per-row error of " + SafeText.visible(r.name()), "row (first axis: token; head for attn_probs)", "relative deviation", dev, tol));
    }

    /** The spread (max - min over runs) of each step's sum, log scale. */
    public static String determinismSpread(DeterminismResult d) {
        XYSeries sum = new XYSeries("spread of sum");
        XYSeries sq = new XYSeries("spread of sum_sq");
        int x = 0;
        for (StepDeterminism s : d.steps()) {
            x++;
            if (s.spread().containsKey("sum")) {
                sum.add(x, clamp(s.spread().get("sum")));
            }
            if (s.spread().containsKey("sum_sq")) {
                sq.add(x, clamp(s.spread().get("sum_sq")));
            }
        }
        JFreeChart chart = logChart("Spread across runs", "step (canonical order)", "max - min", sum, sq);
        chart.getXYPlot().setDomainAxis(new StepAxis("step (canonical order)",
                d.steps().stream().map(StepDeterminism::name).toList()));
        return svg("spread", chart, STEP_CHART_HEIGHT);
    }

    /** The limit of the metric {@link dev.layerwise.compare.StepMetrics#headline()} reports. */
    private static double headlineLimit(StepResult r) {
        return r.metrics().relL2() != null ? r.tolerance().relL2()
                : r.metrics().sumDev() != null ? (r.metrics().lastRow() != null ? r.tolerance().row() : r.tolerance().sum())
                : r.tolerance().sumOnly();
    }

    private static double clamp(double v) {
        if (Double.isNaN(v) || v == Double.POSITIVE_INFINITY) {
            return 1e12;
        }
        return Math.max(LOG_FLOOR, Math.min(1e12, v));
    }

    private static JFreeChart logChart(String title, String xLabel, String yLabel, XYSeries a, XYSeries b) {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(a);
        data.addSeries(b);
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis axis = new LogAxis(yLabel);
        axis.setSmallestValue(LOG_FLOOR);
        axis.setBase(10);
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits()); // whole decades
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        plot.setRangeAxis(axis);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesPaint(1, new Color(0xd62728));
        renderer.setSeriesStroke(1, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f,
                new float[] {6f, 4f}, 0f));
        renderer.setSeriesShapesVisible(1, false);
        plot.setRenderer(renderer);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static String svg(String id, JFreeChart chart) {
        return svg(id, chart, HEIGHT);
    }

    /**
     * The chart as an SVG element. Its clip-path ids start with {@code id} (unique within a report) instead of
     * JFreeSVG's default, a System.nanoTime() stamp, so the same report is the same bytes in every run.
     */
    private static String svg(String id, JFreeChart chart, int height) {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, height);
        g.setDefsKeyPrefix("lw-" + id.replaceAll("[^A-Za-z0-9_-]", "-") + "-");
        chart.draw(g, new Rectangle2D.Double(0, 0, WIDTH, height));
        return g.getSVGElement();
    }
}
