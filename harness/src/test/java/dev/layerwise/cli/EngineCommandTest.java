package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check and rerun with --engine-cmd: an external command as the engine (cp and sh stand in for one). */
class EngineCommandTest {
    @TempDir
    Path dir;

    private static String fixture(String name) {
        try {
            return Path.of(EngineCommandTest.class.getResource("/llamacpp/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private CliRun check(String command, String... more) {
        String[] args = {"check", "--reference", fixture("hf-tiny-f32.json"), "--engine-cmd", command,
            "--engine-dir", dir.resolve("runs").toString(), "--report-dir", dir.resolve("reports").toString()};
        String[] all = new String[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return CliRun.of(all);
    }

    @Test
    void anEngineThatWritesATracePassesAgainstItsOwnTrace() {
        CliRun r = check("cp " + fixture("hf-tiny-f32.json") + " {out}");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.isRegularFile(dir.resolve("runs/run-1/trace.json")));
    }

    @Test
    void aDumpIsReadWithTheImporterCleanPassesAndTheBugDiverges() {
        CliRun clean = check("cp " + fixture("tiny-f32-fa-off-kv-f32.log") + " {log}", "--import-from", "llamacpp-eval");
        assertEquals(0, clean.exitCode(), clean.err() + clean.out());
        CliRun bug = check("cp " + fixture("bug-no-attn-scale-tiny-f32-fa-off-kv-f32.log") + " {log}",
                "--import-from", "llamacpp-eval");
        assertEquals(1, bug.exitCode(), bug.err());
        assertTrue(bug.out().contains("first divergence at layers.0.attn_ctx"), bug.out());
        CliRun silu = check("cp " + fixture("bug-silu-zero-tiny-f32-fa-on-kv-f16.log") + " {log}",
                "--import-from", "llamacpp-eval");
        assertEquals(1, silu.exitCode(), silu.err());
        assertTrue(silu.out().contains("first divergence at layers.0.gated"), silu.out());
    }

    @Test
    void theCommandGetsThePlaceholdersAsSingleArguments() throws Exception {
        CliRun r = check("sh -c 'printf %s \"$1|$2\" > \"$3\"; exit 5' sh {tokens} {tokens_csv} {dir}/args.txt {out}");
        assertEquals(2, r.exitCode());
        assertEquals("1 17 42 99 300 7|1,17,42,99,300,7", Files.readString(dir.resolve("runs/run-1/args.txt")));
    }

    @Test
    void aCrashIsOneLineWithTheStatusAndTheLastStderrLine() {
        CliRun r = check("sh -c 'echo loading >&2; echo segfault in matmul >&2; exit 3' sh {out}");
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("exited with status 3: segfault in matmul"), r.err());
    }

    @Test
    void aTimeoutKillsTheEngine() {
        CliRun r = check("sh -c 'sleep 60' sh {out}", "--engine-timeout", "1");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("timed out after 1 s"), r.err());
    }

    @Test
    void noOutputIsAnError() {
        CliRun r = check("true {out}");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("exited 0 but wrote no trace to {out}"), r.err());
        CliRun noDump = check("echo {tokens}", "--import-from", "llamacpp-eval");
        assertEquals(2, noDump.exitCode(), "stdout without eval-callback nodes: " + noDump.err());
        CliRun noOut = check("echo {tokens}");
        assertEquals(2, noOut.exitCode());
        assertTrue(noOut.err().contains("must write its trace to {out}"), noOut.err());
    }

    @Test
    void anUnknownPlaceholderIsBadInput() {
        CliRun r = check("engine {modle} {out}");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("unknown placeholder {modle}"), r.err());
    }

    @Test
    void rerunRunsTheCommandNTimes() {
        CliRun r = CliRun.of("rerun", "--tokens", "1 17 42 99 300 7", "--runs", "3", "--engine-cmd",
                "cp " + fixture("hf-tiny-f32.json") + " {out}", "--engine-dir", dir.resolve("runs").toString(),
                "--report-dir", dir.resolve("reports").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.isDirectory(dir.resolve("runs/run-3")));
    }

    @Test
    void rerunWithoutTokensIsRefusedBeforeTheCommandRuns() {
        CliRun r = CliRun.of("rerun", "--runs", "2", "--engine-cmd", "cp " + fixture("hf-tiny-f32.json") + " {out}",
                "--engine-dir", dir.resolve("runs").toString(), "--report-dir", dir.resolve("reports").toString());
        assertEquals(2, r.exitCode());
        assertEquals("layerwise: --tokens: required with --engine-cmd (or --tokens-from TRACE)\n", r.err());
        assertTrue(Files.notExists(dir.resolve("runs/run-1")));
    }
}
