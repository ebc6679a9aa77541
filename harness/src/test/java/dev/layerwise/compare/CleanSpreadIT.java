package dev.layerwise.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.numeric.DType;
import dev.layerwise.testing.Components;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.LastRowSteps;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default tolerances against the clean spread of correct engines (reference-dumps/clean-spread/): every pair of
 * second opinions of one shape passes with no false alarm, and the tolerances are not much looser than the largest
 * deviation those engines show. Writes the per step kind table of docs/tolerances.md to
 * target/clean-spread-margins.md.
 */
class CleanSpreadIT {
    /** SHAPE-DTYPE.VARIANT.json[.gz] */
    private static final Pattern NAME = Pattern.compile("(.+)-(f32|f16|bf16)\\.(.+)\\.json(\\.gz)?");

    record Opinion(String shape, String dtype, String variant, Trace trace) {
    }

    /** The worst margin (metric / limit) seen for one dtype and step kind, and where. */
    record Worst(double margin, String metric, String where) {
    }

    private static final List<Opinion> OPINIONS = new ArrayList<>();
    private static final List<String> FALSE_ALARMS = new ArrayList<>();
    private static final Map<String, Worst> WORST_SKETCH = new TreeMap<>();
    private static final Map<String, Worst> WORST_EXACT = new TreeMap<>();
    private static int pairs;

    @BeforeAll
    static void compareEveryPair() throws IOException {
        Path dir = Components.repoRoot().resolve("reference-dumps/clean-spread");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = NAME.matcher(f.getFileName().toString());
                if (m.matches()) {
                    OPINIONS.add(new Opinion(m.group(1), m.group(2), m.group(3), TraceReader.read(f)));
                }
            }
        }
        for (Opinion ref : OPINIONS) {
            for (Opinion cand : OPINIONS) {
                if (ref != cand && comparable(ref, cand)) {
                    judge(ref, cand);
                }
            }
        }
        writeTable(Components.repoRoot().resolve("harness/target/clean-spread-margins.md"));
    }

    /**
     * Same shape, and the same dtype, or a half-precision candidate against a float32 reference (judged in the
     * candidate's precision). A float64 oracle run on half-precision weights is not a second opinion of the float32
     * reference (its weights differ), so a candidate must compute in the dtype its file names.
     */
    static boolean comparable(Opinion ref, Opinion cand) {
        if (!ref.shape.equals(cand.shape)) {
            return false;
        }
        if (ref.dtype.equals(cand.dtype)) {
            return true;
        }
        return ref.dtype.equals("f32") && cand.trace.dtype() == DType.parse(cand.dtype);
    }

    private static void judge(Opinion ref, Opinion cand) {
        pairs++;
        Comparison c = TraceComparator.create().compare(ref.trace, cand.trace);
        String pair = ref.shape + " " + ref.dtype + "." + ref.variant + " -> " + cand.dtype + "." + cand.variant;
        for (StepResult s : c.steps()) {
            if (s.verdict() == Verdict.FAIL || s.verdict() == Verdict.MARGINAL) {
                FALSE_ALARMS.add(pair + ": " + s.name() + " " + s.verdict() + " (" + s.reason() + ")");
            }
            if (!s.inBoth() || s.metrics() == null || s.tolerance() == null || s.metrics().lastRow() != null) {
                continue;
            }
            String key = dtypeOf(ref, cand) + " " + kindOf(s.name());
            for (Check check : StepJudge.checks(s.metrics(), s.tolerance())) {
                Map<String, Worst> table = check.noisy() ? WORST_SKETCH : WORST_EXACT;
                Worst w = table.get(key);
                if (w == null || check.excess() > w.margin) {
                    table.put(key, new Worst(check.excess(), check.metric(), pair + " " + s.name()));
                }
            }
        }
    }

    private static String dtypeOf(Opinion ref, Opinion cand) {
        return ref.dtype.equals("f32") ? cand.dtype : ref.dtype;
    }

    private static String kindOf(String step) {
        String full = LastRowSteps.fullStepOf(step);
        int layer = CanonicalSteps.layerOf(full);
        return layer < 0 ? full : full.substring(full.indexOf('.', "layers.".length()) + 1);
    }

    private static void writeTable(Path out) throws IOException {
        StringBuilder md = new StringBuilder("| dtype | step kind | worst rel_l2 / tol (sketch) | at | worst exact "
                + "metric / limit | metric | at |\n|---|---|---|---|---|---|---|\n");
        for (String key : WORST_EXACT.keySet()) {
            Worst s = WORST_SKETCH.get(key);
            Worst e = WORST_EXACT.get(key);
            String[] k = key.split(" ");
            md.append("| ").append(k[0]).append(" | `").append(k[1]).append("` | ")
                    .append(s == null ? "–" : String.format("%.3f", s.margin)).append(" | ")
                    .append(s == null ? "" : s.where).append(" | ").append(String.format("%.3f", e.margin))
                    .append(" | ").append(e.metric).append(" | ").append(e.where).append(" |\n");
        }
        md.append("\n").append(pairs).append(" ordered pairs of ").append(OPINIONS.size()).append(" traces.\n");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
    }

    @Test
    void theCommittedSecondOpinionsAreAllRead() {
        assertTrue(OPINIONS.size() >= 93, "expected the committed clean-spread traces, found " + OPINIONS.size());
        assertTrue(pairs >= 1400, "pairs compared: " + pairs);
    }

    @Test
    void noCorrectEngineRaisesAnAlarm() {
        assertEquals(List.of(), FALSE_ALARMS.stream().limit(20).toList(), FALSE_ALARMS.size() + " false alarm(s)");
    }

    @Test
    void halfPrecisionToleranceIsWithinFourTimesTheCleanSpread() {
        // Every step kind of f16 and bf16 sees a clean deviation of at least a quarter of its rel_l2 limit (the
        // embedding is a lookup, bit-identical in one dtype, and is left out).
        List<String> tooLoose = WORST_SKETCH.entrySet().stream()
                .filter(e -> e.getKey().startsWith("f16 ") || e.getKey().startsWith("bf16 "))
                .filter(e -> !e.getKey().endsWith(" embed")).filter(e -> e.getValue().margin < 0.25)
                .map(e -> e.getKey() + " " + e.getValue().margin).toList();
        assertEquals(List.of(), tooLoose, "step kinds whose rel_l2 limit is over 4x the largest clean deviation");
        assertFalse(WORST_SKETCH.keySet().stream().noneMatch(k -> k.startsWith("bf16 ")), "no bf16 pair compared");
    }
}
