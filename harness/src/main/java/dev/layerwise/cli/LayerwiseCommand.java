package dev.layerwise.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand has: --help and --version, and the console it prints to (filtered by {@link LayerwiseCli}). */
@Command(mixinStandardHelpOptions = true)
abstract class LayerwiseCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints "layerwise: warning: MESSAGE" on stderr. */
    void warn(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("layerwise: warning: " + message);
        err.flush();
    }
}
