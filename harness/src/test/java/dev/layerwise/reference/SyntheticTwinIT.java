package dev.layerwise.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.cli.LayerwiseCli;
import dev.layerwise.testing.Components;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Java ({@code layerwise synth}) and Python ({@code scripts/synth.py}) generators write
 * byte-identical checkpoints, beyond the pinned tiny presets: other seeds, dtypes and custom shapes
 * (GQA ratio 3, rope_theta 500000, eps 1e-6). Hugging Face loads the Java-written checkpoint with no
 * missing or unexpected keys.
 */
class SyntheticTwinIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} seed {1} {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "tiny  | 7 | f32  | ",
        "tiny  | 2 | bf16 | --num-key-value-heads 1 --rope-theta 500000",
        "small | 3 | f16  | --hidden-size 96 --num-attention-heads 6 --num-key-value-heads 2 --num-hidden-layers 1 "
                + "--intermediate-size 200 --vocab-size 300 --rms-norm-eps 1e-6",
    })
    void javaAndPythonWriteTheSameBytes(String preset, int seed, String dtype, String overrides) throws Exception {
        Path python = Components.requirePython();
        List<String> common = new ArrayList<>(List.of("--preset", preset, "--seed", String.valueOf(seed),
                "--dtype", dtype));
        if (overrides != null && !overrides.isBlank()) {
            common.addAll(List.of(overrides.trim().split("\\s+")));
        }
        Path javaOut = dir.resolve("java");
        Path pythonOut = dir.resolve("python");

        List<String> javaArgs = new ArrayList<>(List.of("synth"));
        javaArgs.addAll(common);
        javaArgs.addAll(List.of("--out", javaOut.toString()));
        assertEquals(0, LayerwiseCli.run(javaArgs.toArray(String[]::new)));

        List<String> pyArgs = new ArrayList<>(List.of("scripts/synth.py"));
        pyArgs.addAll(common);
        pyArgs.addAll(List.of("--out", pythonOut.toString()));
        PythonRun py = PythonRun.python(python, Duration.ofMinutes(3), pyArgs.toArray(String[]::new));
        assertEquals(0, py.exitCode(), py.output());

        assertArrayEquals(Files.readAllBytes(pythonOut.resolve("model.safetensors")),
                Files.readAllBytes(javaOut.resolve("model.safetensors")), "model.safetensors bytes");
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(pythonOut.resolve("config.json").toFile()),
                json.readTree(javaOut.resolve("config.json").toFile()), "config.json content");

        String load = """
                import sys, torch
                from transformers import AutoModelForCausalLM
                m, info = AutoModelForCausalLM.from_pretrained(sys.argv[1], output_loading_info=True, dtype="auto")
                bad = {k: v for k, v in info.items() if v}
                print("LOADING_INFO", bad)
                sys.exit(1 if bad else 0)
                """;
        PythonRun loaded = PythonRun.python(python, Duration.ofMinutes(3), "-c", load, javaOut.toString());
        assertEquals(0, loaded.exitCode(), loaded.output());
    }
}
