package dev.layerwise.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.numeric.DType;

/**
 * The fields of a Llama-family HF {@code config.json} that the engines use (docs/synthetic-checkpoints.md).
 * {@code raw} is the whole config as read, kept for traces.
 */
public record LlamaConfig(
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int vocabSize,
        double rmsNormEps,
        double ropeTheta,
        int maxPositionEmbeddings,
        DType torchDtype,
        boolean tieWordEmbeddings,
        ObjectNode raw) {
}
