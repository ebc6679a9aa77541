package dev.layerwise.model.synth;

import dev.layerwise.LayerwiseException;
import dev.layerwise.trace.ModelDims;

/**
 * The hyper-parameters of a synthetic Llama: the step-shape dimensions ({@link ModelDims}) and the config-only
 * fields {@code synth} sets too. {@link #validate()} names the offending CLI option.
 */
public record Dimensions(ModelDims dims, double rmsNormEps, double ropeTheta, int maxPositionEmbeddings) {

    /** The dimensions in HF config order: hidden, intermediate, layers, heads, KV heads, head dim, vocabulary. */
    public Dimensions(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
            int numKeyValueHeads, int headDim, int vocabSize, double rmsNormEps, double ropeTheta,
            int maxPositionEmbeddings) {
        this(new ModelDims(hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim,
                vocabSize), rmsNormEps, ropeTheta, maxPositionEmbeddings);
    }

    /**
     * @throws LayerwiseException (exit 2) naming the option and the rule broken
     */
    public Dimensions validate() {
        int hiddenSize = dims.hidden();
        int numAttentionHeads = dims.heads();
        int numKeyValueHeads = dims.kvHeads();
        int headDim = dims.headDim();
        positive("--hidden-size", hiddenSize);
        positive("--intermediate-size", dims.intermediate());
        positive("--num-hidden-layers", dims.layers());
        positive("--num-attention-heads", numAttentionHeads);
        positive("--num-key-value-heads", numKeyValueHeads);
        positive("--head-dim", headDim);
        positive("--vocab-size", dims.vocab());
        positive("--max-position-embeddings", maxPositionEmbeddings);
        if (!(rmsNormEps > 0) || Double.isInfinite(rmsNormEps)) {
            throw bad("--rms-norm-eps", "must be a positive number, found " + rmsNormEps);
        }
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw bad("--rope-theta", "must be a positive number, found " + ropeTheta);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw bad("--num-attention-heads", numAttentionHeads + " does not divide --hidden-size " + hiddenSize);
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw bad("--num-key-value-heads", numKeyValueHeads + " does not divide --num-attention-heads " + numAttentionHeads);
        }
        if (headDim % 2 != 0) {
            throw bad("--head-dim", headDim + " is odd; RoPE rotates pairs of dimensions");
        }
        return this;
    }

    private static void positive(String option, int value) {
        if (value <= 0) {
            throw bad(option, "must be a positive integer, found " + value);
        }
    }

    private static LayerwiseException bad(String option, String cause) {
        return new LayerwiseException(LayerwiseException.BAD_INPUT, option + ": " + cause);
    }
}
