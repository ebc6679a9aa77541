package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.compare.DeterminismAnalyzer;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code layerwise determinism TRACE TRACE [TRACE...]}: are repeated runs bit-identical, step by step? */
@Command(name = "determinism", description = {"Check repeated runs of one model on one input for bit-identity, step by step.",
            "The same file given twice (by any path or link) is bad input: it proves nothing.",
            "Exit status: 0 deterministic, 1 not, 2 bad input, 3 the traces are not repeats of one run."})
public final class DeterminismCommand extends LayerwiseCommand {
    @Parameters(arity = "2..*", paramLabel = "TRACE", description = "Two or more traces of the same run.")
    List<Path> traces;

    @Mixin
    ReportOptions reports;

    @Override
    public Integer call() {
        reports.check("determinism"); // a refused report folder fails before any work
        List<Trace> runs = traces.stream().map(TraceReader::read).toList();
        rejectRepeatedFiles();
        DeterminismResult d = DeterminismAnalyzer.analyze(runs);
        reports.publish("determinism", d, out());
        return d.exitCode();
    }

    /** One file named twice (other spelling, symlink, hard link) would always look deterministic. */
    private void rejectRepeatedFiles() {
        for (int i = 0; i < traces.size(); i++) {
            for (int j = i + 1; j < traces.size(); j++) {
                if (sameFile(traces.get(i), traces.get(j))) {
                    throw LayerwiseException.badInput(traces.get(j), null, "is the same file as " + traces.get(i)
                            + ": one run given twice proves nothing about determinism (give traces of separate runs)");
                }
            }
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            throw LayerwiseException.badInput(b, null, "cannot read: " + e.getMessage(), e);
        }
    }
}
