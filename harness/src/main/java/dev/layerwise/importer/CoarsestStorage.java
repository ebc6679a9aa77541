package dev.layerwise.importer;

import dev.layerwise.numeric.DType;

/**
 * The coarsest float storage a llama.cpp graph has passed through so far, in graph order. An f16 KV cache (or
 * flash attention, which casts K and V to f16) rounds K and V to f16: every later value depends on them, so its
 * step is declared f16, and a comparison judges it with f16's unit roundoff rather than f32's.
 */
final class CoarsestStorage {
    private DType coarsest;
    private String firstNode;

    /** Records a printed node's storage type (null when not a float type). */
    void see(LlamaCppEvalLog.Node node, DType type) {
        if (type == null || (coarsest != null && type.unitRoundoff() <= coarsest.unitRoundoff())) {
            return;
        }
        firstNode = node.name() + " (line " + node.line() + ")";
        coarsest = type;
    }

    /** The dtype to declare for a step computed from a node of {@code type}. */
    DType stepDtype(DType type) {
        return coarsest != null && coarsest.unitRoundoff() > type.unitRoundoff() ? coarsest : type;
    }

    /** Notes why a step is declared coarser than the node's printed type. */
    void noteIfCoarser(String step, DType type, ImportNotes notes) {
        if (stepDtype(type) != type) {
            notes.stepNote(step, "dtype", "declared " + coarsest.traceName() + ": computed after " + firstNode
                    + ", the first " + coarsest.traceName() + " tensor of the graph (f16 KV cache or flash attention)");
        }
    }
}
