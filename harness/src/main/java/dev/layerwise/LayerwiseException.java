package dev.layerwise;

/**
 * An error the user can act on: printed as one line (no stack trace unless --verbose) and mapped to
 * the process exit status. Line breaks and other control characters in the message (a tensor name or
 * a value quoted from a malformed file) are escaped, so the message stays one line.
 */
public class LayerwiseException extends RuntimeException {

    /** Exit status for unreadable or malformed input. */
    public static final int BAD_INPUT = 2;
    /** Exit status for two traces that cannot be compared. */
    public static final int NOT_COMPARABLE = 3;

    private final int exitCode;

    public LayerwiseException(int exitCode, String message) {
        super(oneLine(message));
        this.exitCode = exitCode;
    }

    public LayerwiseException(int exitCode, String message, Throwable cause) {
        super(oneLine(message), cause);
        this.exitCode = exitCode;
    }

    /** Bad input: names the file, the field (or tensor) and the cause. */
    public static LayerwiseException badInput(Object file, String field, String cause) {
        String where = field == null || field.isEmpty() ? String.valueOf(file) : file + ": " + field;
        return new LayerwiseException(BAD_INPUT, where + ": " + cause);
    }

    public static LayerwiseException badInput(Object file, String field, String cause, Throwable t) {
        String where = field == null || field.isEmpty() ? String.valueOf(file) : file + ": " + field;
        return new LayerwiseException(BAD_INPUT, where + ": " + cause, t);
    }

    public int exitCode() {
        return exitCode;
    }

    private static String oneLine(String message) {
        if (message == null || message.chars().noneMatch(LayerwiseException::needsEscape)) {
            return message;
        }
        StringBuilder b = new StringBuilder(message.length() + 16);
        message.chars().forEach(c -> {
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> {
                    if (needsEscape(c)) {
                        b.append(String.format("\\u%04x", c));
                    } else {
                        b.append((char) c);
                    }
                }
            }
        });
        return b.toString();
    }

    private static boolean needsEscape(int c) {
        return c != '\t' && (Character.isISOControl(c) || c == '\u2028' || c == '\u2029');
    }
}
