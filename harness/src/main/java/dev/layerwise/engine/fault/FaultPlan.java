package dev.layerwise.engine.fault;

import dev.layerwise.LayerwiseException;
import dev.layerwise.trace.CanonicalSteps;
import dev.layerwise.trace.StepKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The faults to inject in one run: {@code --inject STEP=KIND} options parsed by {@link FaultGrammar} and resolved
 * against the model's steps ({@code *} in STEP stands for every layer index), with the checks that need the model
 * (step exists, kind applies, a stale source runs earlier with the same shape, swap partners share their input,
 * {@code @last} on a token-major step, dropped columns fewer than the input's).
 */
public final class FaultPlan {
    public static final FaultPlan NONE = new FaultPlan(Map.of(), List.of());

    private final Map<String, Fault> byStep;
    private final List<String> specs;

    private FaultPlan(Map<String, Fault> byStep, List<String> specs) {
        this.byStep = byStep;
        this.specs = specs;
    }

    /**
     * Parses and checks every spec. {@code shapeOf} gives a step's shape (to check that a stale source has
     * the target's shape).
     *
     * @throws LayerwiseException (exit 2) naming the bad spec and why
     */
    public static FaultPlan parse(Collection<String> specs, int layers, BiFunction<String, Integer, long[]> shapeOf) {
        if (specs == null || specs.isEmpty()) {
            return NONE;
        }
        List<String> order = CanonicalSteps.all(layers);
        Map<String, Fault> byStep = new LinkedHashMap<>();
        for (String spec : specs) {
            FaultGrammar.Parts parts = FaultGrammar.split(spec);
            for (String step : expand(parts.stepPattern(), layers, spec)) {
                Fault fault = FaultGrammar.parseKind(spec, step, parts.kindText(), layers);
                StepKind stepKind = StepKind.of(step).orElseThrow();
                if (!fault.kind().appliesTo(stepKind)) {
                    throw bad(spec, fault.kind().syntax() + " applies to " + fault.kind().stepKindsText()
                            + " steps, not to " + stepKind.id());
                }
                if (fault.kind() == FaultKind.STALE) {
                    checkSource(spec, fault, order, shapeOf);
                }
                if (fault.lastTokenOnly()) {
                    checkLastToken(spec, fault, shapeOf);
                }
                if (fault.kind() == FaultKind.DROP_COLUMNS) {
                    checkDroppedColumns(spec, fault, stepKind, shapeOf);
                }
                put(byStep, fault, spec);
                if (fault.kind() == FaultKind.SWAP) {
                    checkSwap(spec, fault, shapeOf);
                    put(byStep, new Fault(fault.source(), FaultKind.SWAP, 1, 0, step, 0, false), spec);
                }
            }
        }
        return new FaultPlan(Map.copyOf(byStep), List.copyOf(specs));
    }

    private static void put(Map<String, Fault> byStep, Fault fault, String spec) {
        Fault before = byStep.put(fault.step(), fault);
        if (before != null && !before.equals(fault)) {
            throw bad(spec, "a second fault for step " + fault.step() + " (one fault per step)");
        }
    }

    private static List<String> expand(String pattern, int layers, String spec) {
        List<String> out = new ArrayList<>();
        if (pattern.contains("*")) {
            for (int i = 0; i < layers; i++) {
                out.add(pattern.replace("*", Integer.toString(i)));
            }
        } else {
            out.add(pattern);
        }
        for (String s : out) {
            if (!CanonicalSteps.isCanonical(s)) {
                throw bad(spec, "unknown step '" + s + "' (canonical names: embed, layers.N.attn_norm .. layers.N.out,"
                        + " final_norm, logits)");
            }
            int layer = CanonicalSteps.layerOf(s);
            if (layer >= layers) {
                throw bad(spec, "step " + s + " is beyond the model's " + layers + " layers");
            }
        }
        return out;
    }

    /**
     * A last-token fault is a scale, perturb-ulp or rope-offset fault on a step whose first axis is the token axis
     * (not attn_probs, [nH, T, T]).
     */
    private static void checkLastToken(String spec, Fault f, BiFunction<String, Integer, long[]> shapeOf) {
        if (!f.kind().lastTokenVariant()) {
            throw bad(spec, Fault.LAST_TOKEN + " applies to scale, perturb-ulp and rope-offset faults only");
        }
        if (shapeOf.apply(f.step(), 1)[0] != 1 || shapeOf.apply(f.step(), 2)[0] != 2) {
            throw bad(spec, Fault.LAST_TOKEN + " needs a step whose first axis is the token axis, not " + f.step());
        }
    }

    /** A projection keeps at least one of its input columns. */
    private static void checkDroppedColumns(String spec, Fault f, StepKind kind,
            BiFunction<String, Integer, long[]> shapeOf) {
        String input = kind.inputs().get(0);
        int layer = CanonicalSteps.layerOf(f.step());
        long[] shape = shapeOf.apply(layer >= 0 ? "layers." + layer + "." + input : input, 1);
        long columns = shape[shape.length - 1];
        if (f.count() >= columns) {
            throw bad(spec, "cannot drop " + f.count() + " of the " + columns + " input columns of " + f.step());
        }
    }

    private static void checkSource(String spec, Fault f, List<String> order,
            BiFunction<String, Integer, long[]> shapeOf) {
        if (order.indexOf(f.source()) >= order.indexOf(f.step())) {
            throw bad(spec, "stale source " + f.source() + " must run before " + f.step());
        }
        long[] a = shapeOf.apply(f.step(), 1);
        long[] b = shapeOf.apply(f.source(), 1);
        long[] a2 = shapeOf.apply(f.step(), 2);
        long[] b2 = shapeOf.apply(f.source(), 2);
        if (!Arrays.equals(a, b) || !Arrays.equals(a2, b2)) {
            throw bad(spec, "stale source " + f.source() + " has another shape than " + f.step());
        }
    }

    /** Projections swap weights only with a projection of the same layer, the same input and output shape. */
    private static void checkSwap(String spec, Fault f, BiFunction<String, Integer, long[]> shapeOf) {
        StepKind a = StepKind.of(f.step()).orElseThrow();
        StepKind b = StepKind.of(f.source()).orElseThrow();
        if (f.step().equals(f.source()) || CanonicalSteps.layerOf(f.step()) != CanonicalSteps.layerOf(f.source())) {
            throw bad(spec, "the swap partner must be another projection of the same layer");
        }
        if (!a.sharesInputWith(b)) {
            throw bad(spec, "swap partners must read the same input (" + swapGroupsText() + "), not " + b.id());
        }
        if (!Arrays.equals(shapeOf.apply(f.step(), 1), shapeOf.apply(f.source(), 1))) {
            throw bad(spec, "swap partner " + f.source() + " has another shape than " + f.step());
        }
    }

    /** "q, k, v or gate, up": the groups of linear steps that read one input, from {@link StepKind}. */
    private static String swapGroupsText() {
        Map<List<String>, List<String>> groups = new LinkedHashMap<>();
        for (StepKind k : StepKind.values()) {
            if (Arrays.stream(StepKind.values()).anyMatch(k::sharesInputWith)) {
                groups.computeIfAbsent(k.inputs(), i -> new ArrayList<>()).add(k.id());
            }
        }
        return String.join(" or ", groups.values().stream().map(g -> String.join(", ", g)).toList());
    }

    private static LayerwiseException bad(String spec, String cause) {
        return FaultGrammar.bad(spec, cause);
    }

    public boolean isEmpty() {
        return byStep.isEmpty();
    }

    /** The fault on {@code step}, or null. */
    public Fault faultFor(String step) {
        return byStep.get(step);
    }

    public boolean skips(String step) {
        Fault f = byStep.get(step);
        return f != null && f.kind() == FaultKind.SKIP;
    }

    /** Steps whose content some stale fault needs later. */
    public Set<String> staleSources() {
        Set<String> s = new java.util.HashSet<>();
        for (Fault f : byStep.values()) {
            if (f.kind() == FaultKind.STALE) {
                s.add(f.source());
            }
        }
        return s;
    }

    /** Whether the step's fault (if any) is of this kind. */
    public boolean has(String step, FaultKind kind) {
        Fault f = byStep.get(step);
        return f != null && f.kind() == kind;
    }

    /** The largest RoPE position offset of any fault (0 if none): the RoPE table must cover T + this. */
    public int maxPositionOffset() {
        return byStep.values().stream().mapToInt(Fault::positionOffset).max().orElse(0);
    }

    /** The options as given, for the trace's producer.extra. */
    public List<String> specs() {
        return specs;
    }
}
