package dev.layerwise.cli;

import dev.layerwise.engine.fault.FaultGrammar;
import java.util.ListResourceBundle;

/**
 * Help texts generated from the code they describe rather than written twice (a resource bundle class, which
 * picocli reads through {@code descriptionKey}): {@code --inject} lists the kinds of {@link FaultGrammar}.
 */
public final class GeneratedHelp extends ListResourceBundle {
    @Override
    protected Object[][] getContents() {
        return new Object[][] {{"inject", FaultGrammar.helpText()}};
    }
}
