package dev.layerwise.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.StepJudge;
import dev.layerwise.compare.StepResult;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real llama-eval-callback logs (llama.cpp from node-llama-cpp@3.21.1, see resources/llamacpp/README.md)
 * imported and compared with the Hugging Face reference for the same token ids: clean runs pass, runs of the
 * build with a planted bug diverge at the first step the log can show.
 */
class LlamaCppRealLogsTest {

    static Stream<Arguments> logs() {
        return Stream.of(
                Arguments.of("tiny-f32-fa-off-kv-f32", "hf-tiny-f32.json", null),
                Arguments.of("tiny-f32-fa-off-kv-f16", "hf-tiny-f32.json", null),
                Arguments.of("tiny-f32-fa-on-kv-f16", "hf-tiny-f32.json", null),
                Arguments.of("tiny-f32-fa-on-kv-f32", "hf-tiny-f32.json", null),
                Arguments.of("tiny-f16-fa-off-kv-f16", "hf-tiny-f16.json", null),
                Arguments.of("tiny-f16-fa-on-kv-f16", "hf-tiny-f16.json", null),
                // no 1/sqrt(head_dim): the scores are wrong, but the log prints only a few values and the sum of
                // the softmax, which is nH * T whatever the scores: the first step the log can show wrong is the
                // attention context, with flash attention or without
                Arguments.of("bug-no-attn-scale-tiny-f32-fa-off-kv-f32", "hf-tiny-f32.json", "layers.0.attn_ctx"),
                Arguments.of("bug-no-attn-scale-tiny-f32-fa-on-kv-f16", "hf-tiny-f32.json", "layers.0.attn_ctx"),
                // SiLU returning 0: this llama.cpp fuses silu(gate) * up into one SWIGLU node, so silu_gate is never
                // printed and the first step the log can show wrong is gated (all zeros)
                Arguments.of("bug-silu-zero-tiny-f32-fa-off-kv-f32", "hf-tiny-f32.json", "layers.0.gated"),
                Arguments.of("bug-silu-zero-tiny-f32-fa-on-kv-f16", "hf-tiny-f32.json", "layers.0.gated"));
    }

    static Path fixture(String name) {
        try {
            return Path.of(LlamaCppRealLogsTest.class.getResource("/llamacpp/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture llamacpp/" + name, e);
        }
    }

    /** The largest metric/tolerance ratio over the compared steps (1 = at the tolerance). */
    static double worstRatio(Comparison c) {
        double worst = 0;
        for (StepResult s : c.steps()) {
            if (s.metrics() != null && s.tolerance() != null) {
                for (var check : StepJudge.checks(s.metrics(), s.tolerance())) {
                    worst = Math.max(worst, check.excess());
                }
            }
        }
        return worst;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("logs")
    void importsAndComparesWithTheHfReference(String log, String reference, String expectedDivergence) {
        Trace ref = TraceReader.read(fixture(reference));
        ImportResult imported = ImportFormat.LLAMACPP_EVAL.importer().read(fixture(log + ".log"),
                ImportOptions.none().withTokens(ref.input().tokenIds(), reference));
        Trace candidate = imported.trace();
        assertArrayEquals(ref.input().tokenIds(), candidate.input().tokenIds());
        assertTrue(imported.notes().warnings().isEmpty(), "a whole log imports without warnings: "
                + imported.notes().warnings());
        for (String step : new String[] {"embed", "layers.0.attn_ctx", "layers.0.attn_out", "layers.1.attn_ctx",
            "logits.last_row"}) {
            assertTrue(candidate.step(step).isPresent(), log + " has " + step);
        }
        assertEquals(log.contains("fa-off"), candidate.step("layers.1.attn_probs").isPresent(),
                "attention probabilities are printed without flash attention only");
        Comparison c = TraceComparator.create().compare(ref, candidate);
        assertTrue(c.comparable(), c.notComparable());
        System.out.printf("%s: first divergence %s, worst metric/tolerance %.3g%n", log, c.firstDivergence(),
                worstRatio(c));
        if (expectedDivergence == null) {
            assertNull(c.firstDivergence(), log + " is a clean run");
            assertEquals(0, c.exitCode());
        } else {
            assertEquals(expectedDivergence, c.firstDivergence());
            assertEquals(1, c.exitCode());
        }
    }
}
