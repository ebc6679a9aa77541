package dev.layerwise.cli;

import dev.layerwise.compare.CalibratedProfile;
import dev.layerwise.compare.Calibrator;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.trace.TraceReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code layerwise calibrate TRUSTED_A TRUSTED_B --out profile.json}: per-step tolerances from two references. */
@Command(name = "calibrate", description = {"Derive per-step tolerances from two trusted references of the same model and input "
                + "(observed deviation x margin, never below the dtype's floor); 'compare --profile FILE' uses them.",
            "Exit status: 0 written, 2 bad input, 3 the references are not comparable."})
public final class CalibrateCommand extends LayerwiseCommand {
    @Parameters(index = "0", paramLabel = "TRUSTED_A")
    Path a;

    @Parameters(index = "1", paramLabel = "TRUSTED_B")
    Path b;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the profile (JSON).")
    Path out;

    @Option(names = "--margin", paramLabel = "F", defaultValue = "3.0",
            description = "Multiplier on the observed deviations (>= 1, default ${DEFAULT-VALUE}).")
    double margin;

    @Option(names = "--force", description = "Replace an existing --out file.")
    boolean force;

    @Override
    public Integer call() {
        AtomicFiles.Overwrite overwrite = force ? AtomicFiles.Overwrite.ALLOW : AtomicFiles.Overwrite.REFUSE;
        AtomicFiles.checkTarget(out, overwrite); // before the traces are read
        CalibratedProfile p = Calibrator.calibrate(TraceReader.read(a), TraceReader.read(b), margin);
        p.write(out, overwrite);
        PrintWriter w = out();
        w.println("layerwise calibrate: " + p.steps().size() + " step tolerances (margin " + margin + ", "
                + p.dtype().traceName() + ") written to " + out);
        w.flush();
        return 0;
    }
}
