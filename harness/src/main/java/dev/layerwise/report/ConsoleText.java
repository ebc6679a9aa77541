package dev.layerwise.report;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * Console output that a trace cannot take over: everything written through {@link #writer} has its control
 * characters (ANSI escape sequences, carriage returns, ...) and bidirectional overrides made visible by
 * {@link SafeText}; line breaks stay line breaks.
 */
public final class ConsoleText {
    private ConsoleText() {
    }

    /** A writer that filters into {@code target}; a writer that already filters is returned as it is. */
    public static PrintWriter writer(PrintWriter target) {
        return target instanceof Filtered ? target : new Filtered(target);
    }

    private static final class Filtered extends PrintWriter {
        Filtered(PrintWriter target) {
            super(new Sanitizing(target), true);
        }
    }

    private static final class Sanitizing extends FilterWriter {
        /** A high surrogate that ended the previous write; its low half may start the next. */
        private char pendingHigh;

        Sanitizing(Writer target) {
            super(target);
        }

        @Override
        public void write(int c) throws IOException {
            write(String.valueOf((char) c), 0, 1);
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            write(new String(buf, off, len), 0, len);
        }

        @Override
        public void write(String s, int off, int len) throws IOException {
            StringBuilder text = new StringBuilder(len + 1);
            if (pendingHigh != 0) {
                text.append(pendingHigh);
                pendingHigh = 0;
            }
            text.append(s, off, off + len);
            int last = text.length() - 1;
            if (last >= 0 && Character.isHighSurrogate(text.charAt(last))) {
                pendingHigh = text.charAt(last);
                text.setLength(last);
            }
            out.write(SafeText.visibleKeepingLineBreaks(text.toString()));
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (pendingHigh != 0) {
                out.write(SafeText.visible(String.valueOf(pendingHigh)));
                pendingHigh = 0;
            }
            out.flush();
        }
    }
}
