package dev.layerwise.trace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntToDoubleFunction;

/** The k largest logits of one position, descending, ties broken by the lower token id; NaN logits are skipped. */
public final class TopK {
    public static final int DEFAULT_K = 10;

    /** Smaller logit first, then (equal logits) the larger token id: the order in which candidates drop out. */
    private static final Comparator<TopLogit> WORST_FIRST = Comparator.comparingDouble(TopLogit::logit)
            .thenComparing(Comparator.comparingInt(TopLogit::tokenId).reversed());

    private TopK() {
    }

    public static List<TopLogit> of(float[] logits, int offset, int length, int k) {
        return of(id -> logits[offset + id], length, k);
    }

    public static List<TopLogit> of(double[] logits, int offset, int length, int k) {
        return of(id -> logits[offset + id], length, k);
    }

    private static List<TopLogit> of(IntToDoubleFunction logit, int length, int k) {
        PriorityQueue<TopLogit> heap = new PriorityQueue<>(k + 1, WORST_FIRST);
        for (int id = 0; id < length; id++) {
            double v = logit.applyAsDouble(id);
            if (Double.isNaN(v)) {
                continue;
            }
            heap.add(new TopLogit(id, v));
            if (heap.size() > k) {
                heap.poll();
            }
        }
        List<TopLogit> out = new ArrayList<>(heap);
        out.sort(WORST_FIRST.reversed());
        return out;
    }
}
