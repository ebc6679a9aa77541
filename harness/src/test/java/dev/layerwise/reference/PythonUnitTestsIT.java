package dev.layerwise.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.testing.Components;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs the Python unit tests of scripts/ (trace library, synthetic generator, HF dumper). */
class PythonUnitTestsIT {
    /** The number of tests in scripts/tests when this was written; fewer means tests were lost. */
    private static final int MINIMUM_TESTS = 40;
    private static final Pattern RAN = Pattern.compile("^Ran (\\d+) tests? in ", Pattern.MULTILINE);

    @Test
    void pythonUnitTestsPass() {
        Path python = Components.requirePython();
        PythonRun run = PythonRun.python(python, Duration.ofMinutes(5),
                "-m", "unittest", "discover", "-s", "scripts/tests", "-v");
        assertEquals(0, run.exitCode(), run.output());
        Matcher ran = RAN.matcher(run.output());
        assertTrue(ran.find(), "no 'Ran N tests' line in:\n" + run.output());
        int count = Integer.parseInt(ran.group(1));
        assertTrue(count >= MINIMUM_TESTS, "only " + count + " Python tests ran, expected at least "
                + MINIMUM_TESTS + ":\n" + run.output());
        assertTrue(Pattern.compile("^OK( \\(.*\\))?$", Pattern.MULTILINE).matcher(run.output()).find(), run.output());
    }
}
