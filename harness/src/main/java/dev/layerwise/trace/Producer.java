package dev.layerwise.trace;

import java.util.Map;

/** Who wrote a trace: e.g. transformers 5.17.0 on cpu with eager attention, or layerwise-cpu. */
public record Producer(String name, String version, String device, String attnImplementation,
        Map<String, Object> extra) {

    public Producer {
        // insertion order is kept so traces list extras as the producer wrote them
        extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extra));
    }

    public String describe() {
        StringBuilder sb = new StringBuilder(name == null ? "unknown" : name);
        if (version != null) {
            sb.append(' ').append(version);
        }
        if (device != null) {
            sb.append(" on ").append(device);
        }
        if (attnImplementation != null) {
            sb.append(" (").append(attnImplementation).append(" attention)");
        }
        return sb.toString();
    }
}
