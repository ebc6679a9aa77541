package dev.layerwise.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.layerwise.numeric.DType;
import dev.layerwise.trace.ModelDims;
import java.util.Objects;

/**
 * The fields of a Llama-family HF {@code config.json} that the engines use (docs/synthetic-checkpoints.md): the
 * dimensions that give every step its shape ({@link ModelDims}, their one home), and the fields only a config file
 * has (RMSNorm epsilon, RoPE base, longest input, dtype, tied embeddings). {@code raw} is the whole config as read,
 * kept for traces.
 */
public record LlamaConfig(
        ModelDims dims,
        double rmsNormEps,
        double ropeTheta,
        int maxPositionEmbeddings,
        DType torchDtype,
        boolean tieWordEmbeddings,
        ObjectNode raw) {

    public LlamaConfig {
        Objects.requireNonNull(dims, "dims");
        Objects.requireNonNull(torchDtype, "torchDtype (LlamaConfigReader defaults it to float32)");
    }
}
