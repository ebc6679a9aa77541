package dev.layerwise.engine.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.LayerwiseException;
import dev.layerwise.cli.LayerwiseCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The one grammar of --inject: every kind parses from its own spelling, and the help text is derived from it. */
class FaultGrammarTest {

    private static String example(FaultKind.Argument argument) {
        return switch (argument) {
            case NONE -> "";
            case FACTOR -> ":2.5";
            case POSITIONS, COUNT, OPTIONAL_COUNT -> ":3";
            case STEP -> ":layers.1.up";
        };
    }

    @Test
    void everyKindParsesFromItsSpellingAndPrintsItBack() {
        for (FaultKind kind : FaultKind.values()) {
            String spec = "layers.1.gate=" + kind.specName() + example(kind.argument());
            FaultGrammar.Parts parts = FaultGrammar.split(spec);
            Fault fault = FaultGrammar.parseKind(spec, parts.stepPattern(), parts.kindText(), 2);
            assertEquals(kind, fault.kind());
            assertEquals(spec, fault.spec());
        }
    }

    @Test
    void anArgumentIsRequiredExactlyWhereTheKindTakesOne() {
        for (FaultKind kind : FaultKind.values()) {
            if (kind.argument() == FaultKind.Argument.OPTIONAL_COUNT) {
                continue; // takes both spellings
            }
            String wrong = kind.argument() == FaultKind.Argument.NONE ? kind.specName() + ":1" : kind.specName();
            LayerwiseException e = assertThrows(LayerwiseException.class,
                    () -> FaultGrammar.parseKind("x=" + wrong, "layers.0.up", wrong, 2));
            assertEquals("--inject: x=" + wrong + ": unknown fault kind '" + wrong + "' (" + FaultGrammar.allSyntax()
                    + ")", e.getMessage());
        }
    }

    @Test
    void theHelpTextNamesEveryKindAndWhereItApplies() {
        String help = FaultGrammar.helpText();
        for (FaultKind kind : FaultKind.values()) {
            assertTrue(help.contains(kind.syntax()), kind + " missing from: " + help);
        }
        assertTrue(help.contains("rope-interleaved, rope-offset:N[@last] (q_rope, k_rope)"), help);
        assertTrue(help.contains("swap:OTHER_STEP (q, k, v, gate, up)"), help);

        StringWriter out = new StringWriter();
        CommandLine cli = LayerwiseCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("run", "--help"));
        String printed = out.toString().replaceAll("\\s+", " ");
        for (FaultKind kind : FaultKind.values()) {
            assertTrue(printed.contains(kind.specName()), kind + " missing from run --help");
        }
        assertTrue(printed.contains("See docs/fault-injection.md."), printed);
    }
}
