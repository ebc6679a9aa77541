package dev.layerwise.engine;

import dev.layerwise.LayerwiseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user's engine command line, split into arguments like a shell would (whitespace separates, single and
 * double quotes group, no expansion), with {@code {name}} placeholders replaced inside each argument. The
 * command runs without a shell: a placeholder's value is always exactly one argument's text.
 */
public final class CommandTemplate {
    /** The placeholders and what they become; documented in docs/your-engine.md. */
    public static final List<String> PLACEHOLDERS = List.of("model", "tokens", "tokens_csv", "tokens_file", "out",
            "log", "dir");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)\\}");

    private final String text;
    private final List<String> words;

    private CommandTemplate(String text, List<String> words) {
        this.text = text;
        this.words = words;
    }

    public static CommandTemplate parse(String text, String field) {
        List<String> words = split(text, field);
        if (words.isEmpty()) {
            throw LayerwiseException.badInput(field, null, "empty command");
        }
        for (String w : words) {
            Matcher m = PLACEHOLDER.matcher(w);
            while (m.find()) {
                if (!PLACEHOLDERS.contains(m.group(1))) {
                    throw LayerwiseException.badInput(field, null, "unknown placeholder {" + m.group(1)
                            + "} (known: {" + String.join("} {", PLACEHOLDERS) + "})");
                }
            }
        }
        return new CommandTemplate(text, List.copyOf(words));
    }

    public boolean uses(String placeholder) {
        return words.stream().anyMatch(w -> w.contains("{" + placeholder + "}"));
    }

    /** The arguments with every placeholder replaced by its value. */
    public List<String> expand(Map<String, String> values) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            Matcher m = PLACEHOLDER.matcher(w);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                String v = values.get(m.group(1));
                if (v == null) {
                    throw new IllegalStateException("no value for {" + m.group(1) + "}");
                }
                m.appendReplacement(b, Matcher.quoteReplacement(v));
            }
            m.appendTail(b);
            out.add(b.toString());
        }
        return out;
    }

    @Override
    public String toString() {
        return text;
    }

    private static List<String> split(String text, String field) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw LayerwiseException.badInput(field, null, "unclosed " + quote + " quote in \"" + text + "\"");
        }
        if (inWord) {
            words.add(cur.toString());
        }
        return words;
    }
}
