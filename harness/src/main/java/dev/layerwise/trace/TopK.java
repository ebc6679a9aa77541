package dev.layerwise.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/** The k largest logits of one position, descending, ties broken by the lower token id. */
public final class TopK {
    public static final int DEFAULT_K = 10;

    private TopK() {
    }

    public static List<TopLogit> of(float[] logits, int offset, int length, int k) {
        // Min-heap of the best k seen so far: worst on top (smaller logit, or equal logit and larger id).
        PriorityQueue<TopLogit> heap = new PriorityQueue<>(k + 1, (a, b) -> {
            int c = Double.compare(a.logit(), b.logit());
            return c != 0 ? c : Integer.compare(b.tokenId(), a.tokenId());
        });
        for (int id = 0; id < length; id++) {
            float v = logits[offset + id];
            if (Float.isNaN(v)) {
                continue;
            }
            heap.add(new TopLogit(id, v));
            if (heap.size() > k) {
                heap.poll();
            }
        }
        List<TopLogit> out = new ArrayList<>(heap);
        out.sort((a, b) -> {
            int c = Double.compare(b.logit(), a.logit());
            return c != 0 ? c : Integer.compare(a.tokenId(), b.tokenId());
        });
        return out;
    }
}
