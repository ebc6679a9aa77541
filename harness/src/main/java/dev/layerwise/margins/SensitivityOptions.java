package dev.layerwise.margins;

import dev.layerwise.LayerwiseException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The flags of {@link SensitivityTool}:
 * {@code [--root DIR] [--presets tiny,small,tinyllama-1.1b] [--dtypes f32,f16,bf16] [--kinds NAME,...]
 * [--layer N|last] [--steps N]}. Defaults: the current directory, tiny and small (tinyllama-1.1b costs seconds per
 * forward pass), all dtypes and faults, the last layer, 8 bisection steps.
 *
 * @param layer the faulted layer, or -1 for the last
 */
record SensitivityOptions(Path root, List<String> presets, List<String> dtypes, List<String> kinds, int layer,
        int steps) {
    static final List<String> PRESETS = List.of("tiny", "small", "tinyllama-1.1b");
    static final List<String> DTYPES = List.of("f32", "f16", "bf16");

    static SensitivityOptions parse(String... args) {
        Path root = Path.of(".");
        List<String> presets = List.of("tiny", "small");
        List<String> dtypes = DTYPES;
        List<String> kinds = List.of();
        int layer = -1;
        int steps = 8;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw bad(flag, "needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--root" -> root = Path.of(value);
                case "--presets" -> presets = list(flag, value, PRESETS);
                case "--dtypes" -> dtypes = list(flag, value, DTYPES);
                case "--kinds" -> kinds = list(flag, value, SensitivityProbe.names());
                case "--layer" -> layer = value.equals("last") ? -1 : nonNegative(flag, value);
                case "--steps" -> steps = nonNegative(flag, value);
                default -> throw bad(flag, "unknown option (--root, --presets, --dtypes, --kinds, --layer, --steps)");
            }
        }
        return new SensitivityOptions(root, presets, dtypes, kinds, layer, steps);
    }

    /** Whether probe {@code name} runs (every probe when --kinds is not given). */
    boolean selects(String name) {
        return kinds.isEmpty() || kinds.contains(name);
    }

    /** The faulted layer of a model with {@code layers} layers. */
    int layer(int layers) {
        if (layer >= layers) {
            throw bad("--layer", layer + " is beyond the model's " + layers + " layers");
        }
        return layer < 0 ? layers - 1 : layer;
    }

    private static List<String> list(String flag, String value, List<String> allowed) {
        List<String> out = new ArrayList<>();
        for (String v : value.split(",")) {
            String item = v.trim();
            if (!allowed.contains(item)) {
                throw bad(flag, "unknown value '" + item + "' (one of " + String.join(", ", allowed) + ")");
            }
            out.add(item);
        }
        return List.copyOf(out);
    }

    private static int nonNegative(String flag, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(flag, "'" + value + "' is not a non-negative integer");
    }

    private static LayerwiseException bad(String flag, String cause) {
        return LayerwiseException.badInput(flag, null, cause);
    }
}
