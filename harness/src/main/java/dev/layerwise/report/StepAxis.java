package dev.layerwise.report;

import dev.layerwise.trace.CanonicalSteps;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * The x axis of the per-step charts, whose points sit at x = 1 .. n in step order: ticks are labelled with step
 * names instead of numbers. Up to {@link #EVERY_STEP_UP_TO} steps every step is named; a longer trace (TinyLlama:
 * 377 steps) is labelled at layer boundaries (the first step of every k-th layer, as {@code layers.L}) plus the steps
 * outside layers ({@code embed}, {@code final_norm}, {@code logits}), so that the labels stay readable.
 */
final class StepAxis extends NumberAxis {
    static final int EVERY_STEP_UP_TO = 48;
    private static final int LONGEST_LABEL = 32;

    private final Map<Integer, String> labels;

    StepAxis(String title, List<String> steps) {
        super(title);
        this.labels = labels(steps);
        setVerticalTickLabels(true);
        setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        setAutoRange(false);
        setRange(0.5, Math.max(1, steps.size()) + 0.5);
    }

    /** The labelled positions (x, 1-based) and their labels, in order. */
    static Map<Integer, String> labels(List<String> steps) {
        Map<Integer, String> all = new LinkedHashMap<>();
        if (steps.size() <= EVERY_STEP_UP_TO) {
            for (int i = 0; i < steps.size(); i++) {
                all.put(i + 1, label(steps.get(i)));
            }
            return all;
        }
        int layers = (int) steps.stream().mapToInt(CanonicalSteps::layerOf).filter(l -> l >= 0).distinct().count();
        int stride = layerStride(layers);
        int previousLayer = -1;
        for (int i = 0; i < steps.size(); i++) {
            int layer = CanonicalSteps.layerOf(steps.get(i));
            if (layer < 0) {
                all.put(i + 1, label(steps.get(i)));
            } else if (layer != previousLayer && layer % stride == 0) {
                all.put(i + 1, "layers." + layer);
            }
            previousLayer = layer;
        }
        return thin(all);
    }

    /** 1, 2, 5, 10, 20, 50, ...: the smallest stride that labels at most 24 layers. */
    private static int layerStride(int layers) {
        int[] mantissas = {1, 2, 5};
        for (int scale = 1; ; scale *= 10) {
            for (int m : mantissas) {
                if (layers <= 24 * m * scale) {
                    return m * scale;
                }
            }
        }
    }

    /** Keeps every m-th label when a trace of unusual names still has too many. */
    private static Map<Integer, String> thin(Map<Integer, String> all) {
        if (all.size() <= EVERY_STEP_UP_TO) {
            return all;
        }
        int every = (all.size() + EVERY_STEP_UP_TO - 1) / EVERY_STEP_UP_TO;
        Map<Integer, String> kept = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<Integer, String> e : all.entrySet()) {
            if (i++ % every == 0) {
                kept.put(e.getKey(), e.getValue());
            }
        }
        return kept;
    }

    private static String label(String step) {
        String v = SafeText.visible(step);
        return v.length() <= LONGEST_LABEL ? v : v.substring(0, LONGEST_LABEL - 1) + "…";
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
        List<NumberTick> ticks = new ArrayList<>();
        double angle = edge == RectangleEdge.TOP ? Math.PI / 2 : -Math.PI / 2;
        labels.forEach((x, label) -> ticks.add(new NumberTick(TickType.MAJOR, x, label, TextAnchor.CENTER_RIGHT,
                TextAnchor.CENTER_RIGHT, angle)));
        return ticks;
    }
}
