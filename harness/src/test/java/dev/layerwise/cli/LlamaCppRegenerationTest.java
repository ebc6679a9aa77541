package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.testing.Components;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regenerates the llama.cpp fixtures with a real build (scripts/llamacpp/make_fixtures.sh) and checks them the
 * way users run llama.cpp: {@code layerwise check --engine-cmd scripts/llamacpp/run.sh ...}. Skips locally when
 * llama.cpp is not built; CI builds it (.ci/run, cached outside the checkout).
 */
class LlamaCppRegenerationTest {
    @TempDir
    Path dir;

    @Test
    void regeneratedRunsPassCleanAndLocalizeThePlantedBug() throws Exception {
        Path build = Components.requireLlamaCppBuild();
        Path python = Components.requirePython();
        Path root = Components.repoRoot();
        Path out = dir.resolve("fixtures");
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("scripts/llamacpp/make_fixtures.sh").toString(),
                out.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("make.log").toFile());
        pb.environment().put("LAYERWISE_PYTHON", python.toString());
        pb.environment().put("LAYERWISE_LLAMACPP_CACHE", build.getParent().toString());
        Process p = pb.start();
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), "make_fixtures.sh finished");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("make.log")));

        String runSh = root.resolve("scripts/llamacpp/run.sh").toString();
        String clean = build.resolve("build-clean/bin/llama-eval-callback").toString();
        String bug = build.resolve("bug-no-attn-scale/llama-eval-callback").toString();
        // the GGUF is rebuilt by make_fixtures.sh in a temporary folder: reuse its logs for all but one run
        for (String log : new String[] {"tiny-f32-fa-off-kv-f32", "tiny-f32-fa-on-kv-f16", "tiny-f16-fa-off-kv-f16"}) {
            String ref = out.resolve(log.contains("f16-fa") ? "hf-tiny-f16.json" : "hf-tiny-f32.json").toString();
            CliRun r = CliRun.of("check", "--reference", ref, "--import-from", "llamacpp-eval", "--engine-cmd",
                    "cp " + out.resolve(log + ".log") + " {log}", "--report-dir", dir.resolve("r-" + log).toString());
            assertEquals(0, r.exitCode(), log + ": " + r.err() + r.out());
        }
        Path gguf = dir.resolve("tiny-f32.gguf");
        Path model = dir.resolve("tiny-f32");
        run(python, root, "scripts/synth.py", "--preset", "tiny", "--seed", "1", "--dtype", "f32", "--out", model.toString());
        ProcessBuilder conv = new ProcessBuilder("bash", root.resolve("scripts/llamacpp/convert.sh").toString(),
                model.toString(), gguf.toString(), "f32").redirectErrorStream(true)
                .redirectOutput(dir.resolve("convert.log").toFile());
        conv.environment().put("LAYERWISE_PYTHON", python.toString());
        conv.environment().put("LAYERWISE_LLAMACPP_CACHE", build.getParent().toString());
        Process c = conv.start();
        assertTrue(c.waitFor(10, TimeUnit.MINUTES));
        assertEquals(0, c.exitValue(), Files.readString(dir.resolve("convert.log")));
        String ref = out.resolve("hf-tiny-f32.json").toString();
        String[] base = {"check", "--reference", ref, "--model", gguf.toString(), "--import-from", "llamacpp-eval"};
        CliRun good = CliRun.of(concat(base, "--engine-cmd", runSh + " " + clean + " {model} '{tokens}' {log} -fa off",
                "--report-dir", dir.resolve("r-clean").toString()));
        assertEquals(0, good.exitCode(), good.err() + good.out());
        CliRun bad = CliRun.of(concat(base, "--engine-cmd", runSh + " " + bug + " {model} '{tokens}' {log} -fa off",
                "--report-dir", dir.resolve("r-bug").toString()));
        assertEquals(1, bad.exitCode(), bad.err() + bad.out());
        assertTrue(bad.out().contains("first divergence at layers.0.attn_ctx"), bad.out());
        String silu = build.resolve("bug-silu-zero/llama-eval-callback").toString();
        CliRun zero = CliRun.of(concat(base, "--engine-cmd", runSh + " " + silu + " {model} '{tokens}' {log} -fa on",
                "--report-dir", dir.resolve("r-silu").toString()));
        assertEquals(1, zero.exitCode(), zero.err() + zero.out());
        assertTrue(zero.out().contains("first divergence at layers.0.gated"), zero.out());
    }

    private void run(Path python, Path root, String script, String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = python.toString();
        cmd[1] = root.resolve(script).toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("synth.log").toFile())
                .start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("synth.log")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
