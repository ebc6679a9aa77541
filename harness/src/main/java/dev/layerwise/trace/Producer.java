package dev.layerwise.trace;

import java.util.Map;

/** Who wrote a trace: e.g. transformers 5.17.0 on cpu with eager attention, or layerwise-cpu. */
public record Producer(String name, String version, String device, String attnImplementation,
        Map<String, Object> extra) {

    public Producer {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
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
