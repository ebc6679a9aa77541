package dev.layerwise.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Optional components of the test suite (the Python reference stack, OpenCL, a C compiler). A missing component
 * skips its tests locally, but fails them when the build runs with {@code -Dlayerwise.require=all}
 * (CI), so that nothing is silently skipped there.
 */
public final class Components {
    private static volatile Optional<Path> python;

    private Components() {
    }

    public static boolean strict() {
        return "all".equals(System.getProperty("layerwise.require"));
    }

    /** Skips (or, in strict mode, fails) the calling test when {@code available} is false. */
    public static void require(String component, boolean available, String howToInstall) {
        if (available) {
            return;
        }
        String msg = component + " is not available (" + howToInstall + ")";
        if (strict()) {
            fail(msg + " and -Dlayerwise.require=all forbids skipping");
        }
        Assumptions.abort(msg);
    }

    /** The repository root (set by the build; falls back to walking up from the working directory). */
    public static Path repoRoot() {
        String prop = System.getProperty("layerwise.root");
        if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop, "reference-dumps"))) {
            return Path.of(prop).toAbsolutePath();
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("reference-dumps"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (no reference-dumps/ above "
                    + Path.of("").toAbsolutePath() + ")");
        }
        return p;
    }

    /**
     * A Python interpreter that can import torch, transformers, safetensors and numpy: $LAYERWISE_PYTHON,
     * then the repository's .venv, then python3 on the PATH.
     */
    public static Optional<Path> python() {
        Optional<Path> p = python;
        if (p == null) {
            p = findPython();
            python = p;
        }
        return p;
    }

    /** Like {@link #python()}, but skips/fails the test when there is none. */
    public static Path requirePython() {
        Optional<Path> p = python();
        require("Python reference stack (torch, transformers, safetensors, numpy)", p.isPresent(),
                "python3 -m venv .venv && .venv/bin/pip install --retries 0 -r scripts/requirements.txt");
        return p.orElseThrow();
    }

    /** Skips (or, in strict mode, fails) the calling test when there is no OpenCL device. */
    public static void requireOpenCl() {
        require("OpenCL device", !dev.layerwise.engine.opencl.OpenClDevices.all().isEmpty(),
                "apt-get install ocl-icd-libopencl1 pocl-opencl-icd ocl-icd-opencl-dev");
    }

    /**
     * The llama.cpp build of scripts/llamacpp/build.sh (clean and planted-bug binaries in its cache), and a Python
     * that can run llama.cpp's converter; skips/fails the test when either is missing.
     */
    public static Path requireLlamaCppBuild() {
        Path cache = Path.of(System.getenv().getOrDefault("LAYERWISE_LLAMACPP_CACHE",
                System.getProperty("user.home") + "/.cache/layerwise/llamacpp"));
        Optional<Path> commit = Optional.empty();
        try (var dirs = Files.list(cache)) {
            commit = dirs.filter(d -> Files.isExecutable(d.resolve("build-clean/bin/llama-eval-callback"))
                    && Files.isExecutable(d.resolve("bug-no-attn-scale/llama-eval-callback"))
                    && Files.isExecutable(d.resolve("bug-silu-zero/llama-eval-callback"))).findFirst();
        } catch (IOException e) {
            // no cache: not built
        }
        require("llama.cpp build (clean, no-attn-scale and silu-zero) in " + cache, commit.isPresent(),
                "scripts/llamacpp/build.sh && scripts/llamacpp/build.sh --bug no-attn-scale"
                        + " && scripts/llamacpp/build.sh --bug silu-zero");
        Path python = requirePython();
        require("sentencepiece and protobuf for llama.cpp's convert_hf_to_gguf.py", canImport(python,
                "import sentencepiece, google.protobuf"), ".venv/bin/pip install -r scripts/llamacpp/requirements.txt");
        return commit.orElseThrow();
    }

    private static Optional<Path> findPython() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("LAYERWISE_PYTHON");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        candidates.add(repoRoot().resolve(".venv/bin/python"));
        candidates.add(Path.of("python3"));
        for (Path c : candidates) {
            if (canImportStack(c)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * A program on the PATH that runs with {@code --version} (a C compiler: gcc, g++), or skips/fails the
     * test when there is none.
     */
    public static String requireProgram(String program, String howToInstall) {
        require(program, runs(List.of(program, "--version")), howToInstall);
        return program;
    }

    private static boolean runs(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean canImportStack(Path python) {
        return canImport(python, "import torch, transformers, safetensors, numpy");
    }

    private static boolean canImport(Path python, String imports) {
        try {
            Process p = new ProcessBuilder(python.toString(), "-c", imports)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
