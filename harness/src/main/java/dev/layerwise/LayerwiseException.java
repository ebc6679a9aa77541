package dev.layerwise;

/**
 * An error the user can act on: printed as one line (no stack trace unless --verbose) and mapped to
 * the process exit status.
 */
public class LayerwiseException extends RuntimeException {

    /** Exit status for unreadable or malformed input. */
    public static final int BAD_INPUT = 2;
    /** Exit status for two traces that cannot be compared. */
    public static final int NOT_COMPARABLE = 3;

    private final int exitCode;

    public LayerwiseException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public LayerwiseException(int exitCode, String message, Throwable cause) {
        super(message, cause);
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
}
