package dev.layerwise.cli;

import dev.layerwise.LayerwiseException;
import dev.layerwise.report.ConsoleText;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of the {@code layerwise} command. Exit status: 0 success / within tolerance, 1 a
 * divergence (or nondeterminism), 2 bad input, 3 traces not comparable.
 */
@Command(name = "layerwise", mixinStandardHelpOptions = true, versionProvider = LayerwiseCli.Version.class,
        description = "Differential debugging and validation harness for transformer inference engines.",
        subcommands = {
            CommandLine.HelpCommand.class,
            SynthCommand.class,
            InspectCommand.class,
            ImportCommand.class,
            CompareCommand.class,
            DeterminismCommand.class,
            CalibrateCommand.class,
            RunCommand.class,
            RerunCommand.class,
            ReplayCommand.class,
            CheckCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            DevicesCommand.class,
        })
public final class LayerwiseCli {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces for errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI without exiting the JVM (tests call this). */
    public static int run(String... args) {
        try {
            return newCommandLine().execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println("layerwise: not enough memory for this model (raise the heap with LAYERWISE_JAVA_OPTS=-Xmx...)");
            return LayerwiseException.BAD_INPUT;
        }
    }

    public static CommandLine newCommandLine() {
        LayerwiseCli root = new LayerwiseCli();
        CommandLine cl = new CommandLine(root);
        cl.setExecutionStrategy(LayerwiseCli::executeWithSafeConsole);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            PrintWriter err = ConsoleText.writer(commandLine.getErr());
            if (ex instanceof LayerwiseException le) {
                err.println("layerwise: " + le.getMessage());
                if (verbose) {
                    le.printStackTrace(err);
                }
                err.flush();
                return le.exitCode();
            }
            err.println("layerwise: internal error: " + ex);
            if (verbose) {
                ex.printStackTrace(err);
            } else {
                err.println("(run with --verbose for the stack trace)");
            }
            err.flush();
            return 70;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            PrintWriter err = ConsoleText.writer(c.getErr());
            if (ex.getCause() instanceof CommandLine.TypeConversionException bad
                    && ex.getArgSpec() instanceof CommandLine.Model.OptionSpec option) {
                // a typed option's own parser refused the value: "--option: cause", like any other bad input
                err.println("layerwise: " + LayerwiseException.badInput(option.longestName(), null, bad.getMessage())
                        .getMessage());
                err.flush();
                return LayerwiseException.BAD_INPUT;
            }
            err.println("layerwise: " + ex.getMessage());
            err.println("(see: " + c.getCommandSpec().qualifiedName() + " --help)");
            err.flush();
            return LayerwiseException.BAD_INPUT;
        });
        return cl;
    }

    /**
     * Runs the command with stdout and stderr filtered by {@link ConsoleText}: what a command prints may quote a
     * trace (step names, producer fields), and a trace must not be able to send escape sequences to the terminal.
     * Help is printed before, unfiltered, so that picocli's own colours still work.
     */
    private static int executeWithSafeConsole(CommandLine.ParseResult parseResult) {
        Integer help = CommandLine.executeHelpRequest(parseResult);
        if (help != null) {
            return help;
        }
        CommandLine root = parseResult.commandSpec().commandLine();
        root.setOut(ConsoleText.writer(root.getOut()));
        root.setErr(ConsoleText.writer(root.getErr()));
        return new CommandLine.RunLast().execute(parseResult);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = LayerwiseCli.class.getPackage().getImplementationVersion();
            return new String[] {"layerwise " + (v == null ? "dev" : v)};
        }
    }
}
