package dev.layerwise.trace;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The model a trace ran: architecture, its HF config (as JSON), a source string and a weights hash. */
public record ModelInfo(String architecture, ObjectNode config, String source, String weightsSha256) {
}
