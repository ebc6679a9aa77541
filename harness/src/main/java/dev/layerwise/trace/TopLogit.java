package dev.layerwise.trace;

/** One entry of a trace's top_k: a token id and its logit at the last position. */
public record TopLogit(int tokenId, double logit) {
}
