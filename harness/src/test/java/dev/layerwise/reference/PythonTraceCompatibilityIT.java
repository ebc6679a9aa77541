package dev.layerwise.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.numeric.DType;
import dev.layerwise.testing.Components;
import dev.layerwise.testing.RawTensorSteps;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.SketchSpec;
import dev.layerwise.trace.Step;
import dev.layerwise.trace.StepAccumulator;
import dev.layerwise.trace.TopK;
import dev.layerwise.trace.TopLogit;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Python's trace library and Java's agree: a trace of known tensors written by the layerwise_trace package
 * (via scripts/tests/known_tensor_trace.py) is read by {@link TraceReader} and every step equals
 * {@link StepAccumulator}'s recomputation from the same formula. The values are multiples of 1/8, so
 * every float64 sum is exact in any order and the comparison is exact. The committed HF references are
 * read by the Java reader too.
 */
class PythonTraceCompatibilityIT {
    private static final long[] SMALL = {7, 3, 5};
    private static final long[] CHUNKED = {1025, 1024};
    private static final long[] NONFINITE = {4, 5};
    private static final long[] LOGITS = {2, 50};

    @Test
    void knownTensorTraceMatchesStepAccumulator(@TempDir Path dir) {
        Path python = Components.requirePython();
        Path out = dir.resolve("known.json");
        PythonRun run = PythonRun.python(python, Duration.ofMinutes(2), "scripts/tests/known_tensor_trace.py",
                out.toString());
        assertEquals(0, run.exitCode(), run.output());
        Trace trace = TraceReader.read(out);
        assertEquals(SketchSpec.DEFAULT, trace.sketch());

        Map<String, Step> expected = Map.of(
                "f32", step("f32", SMALL, DType.FLOAT32, knownValues(count(SMALL))),
                "f16", step("f16", SMALL, DType.FLOAT16, knownValues(count(SMALL))),
                "bf16", step("bf16", SMALL, DType.BFLOAT16, knownValues(count(SMALL))),
                "f64", new StepAccumulator().begin("f64", SMALL, DType.FLOAT64)
                        .add(toDoubles(knownValues(count(SMALL)))).finish(),
                "chunked", step("chunked", CHUNKED, DType.FLOAT32, knownValues(count(CHUNKED))),
                "nonfinite", step("nonfinite", NONFINITE, DType.FLOAT32, nonFiniteValues()),
                "logits", step("logits", LOGITS, DType.FLOAT32, knownLogits(count(LOGITS))));
        assertEquals(expected.size(), trace.steps().size());
        for (Step actual : trace.steps()) {
            assertStepEquals(expected.get(actual.name()), actual);
        }
        float[] logits = knownLogits(count(LOGITS));
        assertEquals(TopK.of(logits, 50, 50, TopK.DEFAULT_K), trace.topK());
    }

    /**
     * The layerwise_trace package (sdk/python, the only thing on the path besides numpy; the script makes
     * `import torch` fail) records random, non-finite, subnormal and every f16/bf16 value with its TraceWriter;
     * Java records the raw values the script wrote beside the trace, and every step must be bit-identical (the
     * values' sums depend on the order); its top_k block is Java's TopK of the last step.
     */
    @Test
    void numpyOnlyTraceWriterIsBitIdenticalToStepAccumulator(@TempDir Path dir) {
        Trace trace = numpyOnlyTrace(dir);
        assertEquals("numpy-only test", trace.producer().name());
        assertEquals(SketchSpec.DEFAULT, trace.sketch());
        assertEquals(17, RawTensorSteps.assertBitIdentical(trace, dir.resolve("numpy.raw")));
        assertTopKIsJavas(trace, dir.resolve("numpy.raw"));
    }

    /** TraceWriter(spec=SketchSpec(k, seed)): another k and a negative seed, sketched as Java does with that spec. */
    @Test
    void aConfiguredSketchIsBitIdenticalToStepAccumulatorWithThatSpec(@TempDir Path dir) {
        Trace trace = numpyOnlyTrace(dir, "5", "-7046029254386353131");
        assertEquals(new SketchSpec(SketchSpec.RADEMACHER_SPLITMIX64, 5, -7046029254386353131L), trace.sketch());
        assertEquals(17, RawTensorSteps.assertBitIdentical(trace, dir.resolve("numpy.raw")));
        assertEquals(5, trace.steps().get(0).sketch().length);
        assertTopKIsJavas(trace, dir.resolve("numpy.raw"));
    }

    private static Trace numpyOnlyTrace(Path dir, String... sketchKAndSeed) {
        Path python = Components.requirePython();
        Path out = dir.resolve("numpy.json");
        List<String> args = new ArrayList<>(List.of("scripts/tests/numpy_only_trace.py", out.toString(),
                dir.resolve("numpy.raw").toString()));
        args.addAll(List.of(sketchKAndSeed));
        PythonRun run = PythonRun.python(python, Duration.ofMinutes(2), args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.output());
        return TraceReader.read(out);
    }

    private static void assertTopKIsJavas(Trace trace, Path raw) {
        double[] logits = RawTensorSteps.valuesOf(trace, raw, "top_k_logits");
        assertEquals(TopK.of(logits, 0, logits.length, TopK.DEFAULT_K), trace.topK());
        assertEquals(List.of(12, 3, 17, 30, 7, 6), trace.topK().subList(0, 6).stream().map(TopLogit::tokenId)
                .toList(), "+Infinity, the three-way tie by id, then +0 above -0");
    }

    @ParameterizedTest
    @CsvSource({"tiny-seed1-f32, 2", "tiny-seed1-f16, 2", "tiny-seed1-bf16, 2", "small-seed1-f16, 4",
        "tinyllama-1layer-seed1-f16, 1"})
    void committedReferencesAreValidTracesWithEveryCanonicalStep(String name, int layers) {
        Trace trace = TraceReader.read(Components.repoRoot().resolve("reference-dumps/" + name + ".json"));
        assertEquals(CanonicalSteps.all(layers), trace.steps().stream().map(Step::name).toList());
        assertEquals(38, trace.input().tokenIds().length);
        assertEquals("transformers", trace.producer().name());
        assertEquals("eager", trace.producer().attnImplementation());
        assertEquals(10, trace.topK().size());
        for (Step s : trace.steps()) {
            assertTrue(s.stats().isComplete(), s.name());
            assertEquals(trace.dtype(), s.dtype(), s.name());
            assertEquals(s.shape()[0], s.rowSums().length, s.name());
            assertEquals(16, s.sketch().length, s.name());
        }
    }

    private static void assertStepEquals(Step expected, Step actual) {
        String at = actual.name();
        assertArrayEquals(expected.shape(), actual.shape(), at);
        assertEquals(expected.dtype(), actual.dtype(), at);
        assertEquals(expected.stats(), actual.stats(), at);
        assertArrayEquals(expected.rowSums(), actual.rowSums(), 0, at);
        assertArrayEquals(expected.rowSumSq(), actual.rowSumSq(), 0, at);
        assertArrayEquals(expected.sketch(), actual.sketch(), 0, at);
        assertEquals(expected.sha256(), actual.sha256(), at);
    }

    private static Step step(String name, long[] shape, DType dtype, float[] values) {
        return new StepAccumulator().begin(name, shape, dtype).add(values).finish();
    }

    private static int count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    /** value(i) = ((37 i) mod 101 - 50) / 8, as in known_tensor_trace.py. */
    private static float[] knownValues(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((((long) i * 37) % 101 - 50) / 8.0);
        }
        return v;
    }

    private static float[] knownLogits(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.floorDiv(((long) i * 37) % 101 - 50, 8);
        }
        return v;
    }

    private static float[] nonFiniteValues() {
        float[] v = knownValues(20);
        v[3] = Float.NaN;
        v[5] = Float.POSITIVE_INFINITY;
        v[8] = Float.NEGATIVE_INFINITY;
        return v;
    }

    private static double[] toDoubles(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return d;
    }
}
