package dev.layerwise.margins;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.engine.EngineKind;
import dev.layerwise.trace.Trace;
import dev.layerwise.trace.TraceReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Measures, with the default tolerances, how close clean comparisons come to their tolerance and how far planted
 * faults exceed it, and prints markdown tables (docs/tolerances.md). Run by {@code scripts/measure_margins.sh}.
 * Clean pairs: the cpu engine and the oracle against every committed Hugging Face reference, Hugging Face CUDA
 * against Hugging Face CPU, sdpa against eager (reference-dumps/second-opinion). Faults: every
 * {@link PlantedFault#CATALOG} entry on the tiny model against the reference of each dtype.
 *
 * <p>Usage: {@code MarginsTool [REPO_ROOT]} (default: the current directory).
 */
public final class MarginsTool {
    /** A clean pair within this fraction of its tolerance is flagged. */
    static final double CLEAN_FLAG = 0.5;
    /** A fault beyond its tolerance by less than this factor is flagged. */
    static final double FAULT_FLAG = 2.0;

    private final Path refs;
    private final PrintStream out;
    private final TraceComparator comparator = TraceComparator.create();

    MarginsTool(Path root, PrintStream out) {
        this.refs = root.resolve("reference-dumps");
        this.out = out;
    }

    public static void main(String[] args) {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        new MarginsTool(root, System.out).measure();
    }

    void measure() {
        try (SyntheticRuns runs = new SyntheticRuns()) {
            cleanPairs(runs);
            faults(runs);
        }
    }

    private Trace read(String name) {
        return TraceReader.read(refs.resolve(name));
    }

    private void cleanPairs(SyntheticRuns runs) {
        out.println("| pair | reference | worst error / tolerance | metric | at | verdict |");
        out.println("|---|---|---|---|---|---|");
        List<String> cpuRefs = List.of("tiny-seed1-f32", "tiny-seed1-f16", "tiny-seed1-bf16", "small-seed1-f16",
                "tinyllama-1layer-seed1-f16");
        for (String name : cpuRefs) {
            Trace ref = read(name + ".json");
            row("cpu engine vs HF eager", name, comparator.compare(ref, runs.run(ref, EngineKind.CPU, List.of())));
        }
        for (String name : cpuRefs) {
            Trace ref = read(name + ".json");
            row("oracle (f64) vs HF eager", name,
                    comparator.compare(ref, runs.run(ref, EngineKind.ORACLE, List.of())));
        }
        for (String name : cpuRefs) {
            Path cuda = refs.resolve("second-opinion/" + name + ".cuda-eager.json");
            if (Files.exists(cuda)) {
                row("HF CUDA eager vs HF CPU eager", name, comparator.compare(read(name + ".json"),
                        TraceReader.read(cuda)));
            }
        }
        row("HF CPU sdpa vs HF CPU eager", "tiny-seed1-f16", comparator.compare(read("tiny-seed1-f16.json"),
                read("second-opinion/tiny-seed1-f16.cpu-sdpa.json")));
        row("HF CUDA sdpa vs HF CUDA eager", "tiny-seed1-f16", comparator.compare(
                read("second-opinion/tiny-seed1-f16.cuda-eager.json"),
                read("second-opinion/tiny-seed1-f16.cuda-sdpa.json")));
        out.println();
    }

    private void row(String pair, String reference, Comparison c) {
        Margin m = Margin.worst(c);
        String flag = m.ratio() >= CLEAN_FLAG ? " (within " + CLEAN_FLAG + " of tolerance)" : "";
        out.printf(Locale.ROOT, "| %s | `%s` | %s%s | %s | `%s` | %s |%n", pair, reference, Margin.format(m.ratio()), flag,
                m.metric(), m.step(), c.verdict());
    }

    private void faults(SyntheticRuns runs) {
        List<String> dtypes = List.of("f32", "f16", "bf16");
        out.println("| fault (`--inject`) | expected step, diagnosis | f32 | f16 | bf16 |");
        out.println("|---|---|---|---|---|");
        for (PlantedFault f : PlantedFault.CATALOG) {
            StringBuilder line = new StringBuilder("| `" + f.inject() + "` | `" + f.firstDivergence() + "`, "
                    + (f.diagnosis() == null ? "(none yet)" : f.diagnosis()) + " |");
            for (String dtype : dtypes) {
                Trace ref = read("tiny-seed1-" + dtype + ".json");
                Comparison c = comparator.compare(ref, runs.run(ref, EngineKind.CPU, List.of(f.inject())));
                line.append(' ').append(faultCell(f, c)).append(" |");
            }
            out.println(line);
        }
        out.println();
    }

    private static String faultCell(PlantedFault f, Comparison c) {
        Margin m = Margin.atDivergence(c);
        boolean located = f.firstDivergence().equals(c.firstDivergence());
        boolean diagnosed = SensitivityTool.caughtAtStep(c, f.firstDivergence(), f.diagnosis()) || !located;
        String cell = Margin.format(m.ratio()) + " " + m.metric();
        if (m.ratio() < FAULT_FLAG) {
            cell += " (**within " + FAULT_FLAG + "x of tolerance**)";
        }
        if (!located) {
            cell += " (**first divergence " + c.firstDivergence() + "**)";
        } else if (!diagnosed) {
            cell += " (**diagnoses " + c.diagnosesFor(f.firstDivergence()) + "**)";
        }
        return cell;
    }
}
