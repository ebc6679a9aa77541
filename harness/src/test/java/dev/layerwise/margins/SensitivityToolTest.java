package dev.layerwise.margins;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.TraceComparator;
import dev.layerwise.compare.diagnosis.DiagnosisCode;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The benchmark on the committed tiny f16 reference: the table has a row per selected fault, and the scale it reports
 * is caught at its step while the strength one bisection step below it is not (whatever the tolerance model is).
 */
class SensitivityToolTest {

    @Test
    void reportsTheSmallestCaughtScaleAndWhetherFaultsWithoutStrengthAreCaught() {
        int steps = 5;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SensitivityOptions options = SensitivityOptions.parse("--root", Components.repoRoot().toString(), "--presets",
                "tiny", "--dtypes", "f16", "--kinds", "scale-up,nan,half-accumulation", "--steps", "" + steps);
        new SensitivityTool(options, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream())).measure();
        String table = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(table.contains("| fault | `--inject` | expected diagnosis | f16 |"), table);
        assertTrue(table.contains("| nan | `layers.1.attn_out=nan` | NON_FINITE | yes (NON_FINITE"), table);
        assertTrue(table.contains("| half-accumulation | `layers.1.ffn_out=half-accumulation` | HALF_PRECISION_ACCUMULATION |"), table);
        Matcher m = Pattern.compile("\\| scale-up \\| `layers\\.1\\.up=scale:F` \\| SCALE_FACTOR \\| ([0-9.e-]+); clean ")
                .matcher(table);
        assertTrue(m.find(), table);
        double found = Double.parseDouble(m.group(1));

        Trace reference = SensitivityReferences.read(Components.repoRoot(), "tiny", "f16");
        double resolution = Math.pow(1 / (reference.dtype().unitRoundoff() / 2), 1.0 / (1 << steps));
        try (SyntheticRuns runs = new SyntheticRuns()) {
            // the cell shows 3 significant digits: 0.5 % either way covers its rounding
            assertTrue(caught(runs, reference, found * 1.005), "not caught at the reported " + found);
            assertFalse(caught(runs, reference, found / resolution / 1.005), "caught below " + found);
        }
    }

    private static boolean caught(SyntheticRuns runs, Trace reference, double deviation) {
        String spec = String.format(Locale.ROOT, "layers.1.up=scale:%.9g", 1 + deviation);
        return SensitivityTool.caughtAtStep(TraceComparator.create().compare(reference,
                runs.run(reference, EngineKind.CPU, List.of(spec))), "layers.1.up", DiagnosisCode.SCALE_FACTOR);
    }
}
