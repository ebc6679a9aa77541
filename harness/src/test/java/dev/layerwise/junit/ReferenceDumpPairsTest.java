package dev.layerwise.junit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.layerwise.compare.Comparability;
import dev.layerwise.testing.Components;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

/**
 * Every pair of distinct reference dumps (reference-dumps/*.json) that share token ids and model must match step by
 * step (a trace compared with itself would prove nothing): clean second opinions (another dtype, another attention implementation) never fail. Each
 * trace in reference-dumps/second-opinion/ (Hugging Face on CUDA, or with sdpa) is compared as a candidate with every
 * primary reference of the same model and tokens, and must have at least one. An empty directory yields no tests
 * locally and one failing test under -Dlayerwise.require=all.
 */
class ReferenceDumpPairsTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    @TestFactory
    Stream<DynamicNode> referenceDumpsAgreePairwise() throws IOException {
        Path dumps = Components.repoRoot().resolve("reference-dumps");
        List<Trace> traces = discover(dumps);
        List<DynamicNode> pairs = new ArrayList<>();
        for (int i = 0; i < traces.size(); i++) {
            for (int j = i + 1; j < traces.size(); j++) {
                addIfComparable(pairs, traces.get(i), traces.get(j));
            }
        }
        for (Trace second : discover(dumps.resolve("second-opinion"))) {
            List<DynamicNode> mine = new ArrayList<>();
            for (Trace primary : traces) {
                addIfComparable(mine, primary, second);
            }
            if (mine.isEmpty()) {
                mine.add(DynamicTest.dynamicTest(second.label() + " has a primary reference", () -> {
                    throw new AssertionFailedError("no trace in reference-dumps/ has the model and tokens of "
                            + second.source() + ": a second opinion needs its primary reference");
                }));
            }
            pairs.addAll(mine);
        }
        if (pairs.isEmpty() && Components.strict()) {
            return Stream.of(DynamicTest.dynamicTest("reference dumps present", () -> {
                throw new AssertionFailedError("reference-dumps/ holds no traces and -Dlayerwise.require=all "
                        + "forbids skipping (generate them with the reference dump script)");
            }));
        }
        return pairs.stream();
    }

    private static void addIfComparable(List<DynamicNode> pairs, Trace reference, Trace candidate) {
        if (Comparability.check(reference, candidate).isEmpty()) {
            pairs.add(DynamicContainer.dynamicContainer(reference.label() + " vs " + candidate.label(),
                    TraceComparisonTests.forPair(reference, candidate)));
        }
    }

    /** The traces among DIR/*.json, not recursing (other JSON files, e.g. manifests, are left alone). */
    static List<Trace> discover(Path dir) throws IOException {
        List<Trace> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                JsonNode root = JSON.readTree(f.toFile());
                if (root != null && Trace.FORMAT.equals(root.path("format").asText())) {
                    out.add(TraceReader.parse(root, f).withSource(f));
                }
            }
        }
        return out;
    }
}
