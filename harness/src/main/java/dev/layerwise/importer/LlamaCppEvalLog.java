package dev.layerwise.importer;

import dev.layerwise.LayerwiseException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the output of llama.cpp's {@code llama-eval-callback}: one block per graph node,
 *
 * <pre>
 * ggml_debug:              attn_norm-0 = (f32)        MUL(norm-0{2048, 4, 1, 1}, blk.0.attn_norm.weight{2048, 1, 1, 1}}) = {2048, 4, 1, 1}
 *                                      [
 *                                       [
 *                                        [     -0.1800,       0.2817, ...,       0.0412],
 *                                        ...,
 *                                       ],
 *                                      ]
 *                                      sum = 12.345678
 * </pre>
 *
 * (newer versions prefix {@code common_debug_cb_eval:} and indent by 4). Values are printed {@code %12.4f}
 * with the middle of long axes elided ("..."); {@code sum} is a float32 accumulation, printed {@code %f},
 * once per outermost index (cumulative: the last line is the total). Other lines (loader output, timings)
 * are ignored.
 */
final class LlamaCppEvalLog {

    /** One printed node. {@code ne} is ggml's innermost-first shape; {@code sum} is null when none was printed. */
    record Node(int line, String name, String type, String op, String src0, long[] ne, Double sum,
            List<Double> values, double printRoundoff, boolean elided, boolean complete) {

        long count() {
            long n = 1;
            for (long d : ne) {
                n *= d;
            }
            return n;
        }

        /** Sum of the printed values (all of them when not elided). */
        double printedSum() {
            double s = 0;
            for (double v : values) {
                s += v;
            }
            return s;
        }
    }

    private static final Pattern HEADER = Pattern.compile(
            "^\\s*([A-Za-z_]\\w*): +(.+?) = \\((\\w+)\\) +(\\S+)\\((.*)\\) = \\{([\\d, ]+)\\}\\s*$");
    private static final Pattern SUM = Pattern.compile("^\\s*sum = (\\S+)\\s*$");
    private static final Pattern TOKEN_COUNT = Pattern.compile("number of input tokens = (\\d+)\\s*$");
    private static final Pattern TOKEN_ID = Pattern.compile("^(?:[\\d.]+ [IWED] )?\\s*(-?\\d+)\\s*$");

    /**
     * A parsed log: its nodes, and the token ids when the log prints them (this version prints
     * "number of input tokens = N" and one id a line, on stderr); {@code tokenLine} is that line, 0 when absent.
     */
    record Log(List<Node> nodes, int[] tokenIds, int tokenLine, int lines) {
    }

    private LlamaCppEvalLog() {
    }

    static List<Node> read(Path file) {
        return parse(DumpFiles.readLines(file), file);
    }

    static Log readLog(Path file) {
        List<String> lines = DumpFiles.readLines(file);
        List<Node> nodes = parse(lines, file);
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = TOKEN_COUNT.matcher(lines.get(i));
            if (m.find()) {
                return new Log(nodes, tokenIds(lines, i, m.group(1), file), i + 1, lines.size());
            }
        }
        return new Log(nodes, null, 0, lines.size());
    }

    /** The ids printed one a line after "number of input tokens = N"; fewer than N is a truncated log. */
    private static int[] tokenIds(List<String> lines, int at, String countText, Path file) {
        Integer count = NumberText.wholeNumber(countText);
        if (count == null) {
            throw LayerwiseException.badInput(file, "line " + (at + 1), "token count \"" + countText
                    + "\" is not a whole number of tokens");
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = at + 1; i < lines.size() && ids.size() < count; i++) {
            Matcher m = TOKEN_ID.matcher(lines.get(i));
            if (!m.matches()) {
                break;
            }
            Integer id = NumberText.wholeNumber(m.group(1));
            if (id == null) {
                throw LayerwiseException.badInput(file, "line " + (i + 1), "token id \"" + m.group(1)
                        + "\" is not a token id");
            }
            ids.add(id);
        }
        if (ids.size() != count) {
            throw LayerwiseException.badInput(file, "line " + (at + 1), "the log announces " + count
                    + " input tokens but lists " + ids.size() + " ids after it");
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<Node> parse(List<String> lines, Path file) {
        List<Node> nodes = new ArrayList<>();
        NodeBuilder current = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher h = HEADER.matcher(line);
            if (h.matches()) {
                if (current != null) {
                    nodes.add(current.build());
                }
                current = new NodeBuilder(i + 1, h, file);
                continue;
            }
            if (current == null || current.closed) {
                continue;
            }
            Matcher s = SUM.matcher(line);
            if (s.matches()) {
                Double sum = NumberText.parse(s.group(1));
                if (sum == null) {
                    throw LayerwiseException.badInput(file, "line " + (i + 1) + " (" + current.name + ")",
                            "sum: expected a number, got \"" + s.group(1) + "\"");
                }
                current.sum = sum;
                current.sumsSeen++;
                current.closed = current.sumsSeen == current.ne[3];
                continue;
            }
            String t = line.trim();
            if (t.equals("[") || t.equals("]") || t.equals("],")) {
                continue;
            }
            if (t.startsWith("...")) {
                current.elided = true;
            } else if (t.startsWith("[") && t.endsWith("],")) {
                current.row(t.substring(1, t.length() - 2), i + 1);
            } else {
                current.closed = true; // some other output interleaved: this node's block is over
            }
        }
        if (current != null) {
            nodes.add(current.build());
        }
        return nodes;
    }

    private static final class NodeBuilder {
        final int line;
        final String name;
        final String type;
        final String op;
        final String src0;
        final long[] ne;
        final Path file;
        final List<Double> values = new ArrayList<>();
        double roundoff;
        boolean elided;
        boolean closed;
        Double sum;
        long sumsSeen;

        NodeBuilder(int line, Matcher h, Path file) {
            this.line = line;
            this.file = file;
            this.name = h.group(2).trim();
            this.type = h.group(3);
            this.op = h.group(4);
            String srcs = h.group(5);
            int brace = srcs.indexOf('{');
            this.src0 = (brace < 0 ? srcs.replaceFirst(",.*", "") : srcs.substring(0, brace)).trim();
            String[] dims = h.group(6).split(",");
            this.ne = new long[] {1, 1, 1, 1};
            for (int i = 0; i < dims.length && i < 4; i++) {
                ne[i] = dimension(dims[i].trim(), h.group(6));
            }
        }

        private long dimension(String text, String shape) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw LayerwiseException.badInput(file, "line " + line + " (" + name + ")",
                        "shape {" + shape + "}: expected whole numbers, got \"" + text + "\"");
            }
        }

        void row(String body, int lineNo) {
            for (String cell : body.split(",")) {
                String c = cell.trim();
                if (c.isEmpty()) {
                    continue;
                }
                if (c.equals("...")) {
                    elided = true;
                    continue;
                }
                Double v = NumberText.parse(c);
                if (v == null) {
                    throw LayerwiseException.badInput(file, "line " + lineNo + " (" + name + ")",
                            "expected a number, got \"" + c + "\"");
                }
                values.add(v);
                roundoff += 0.5 * Math.pow(10, -NumberText.decimals(c));
            }
        }

        Node build() {
            return new Node(line, name, type, op, src0, ne, sumsSeen == ne[3] ? sum : null, List.copyOf(values),
                    roundoff, elided, sumsSeen == ne[3]);
        }
    }
}
