package dev.layerwise.importer;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything an import decided that the trace's steps alone do not say: which original name became which
 * step, what was kept but not mapped, samples that cannot be compared, warnings and assumptions. It becomes
 * the trace's {@code producer.extra} and the summary {@code layerwise import} prints.
 */
public final class ImportNotes {
    /** One original name and the step it was imported as. */
    public record Mapping(String original, String step) {
    }

    private final Map<String, Object> importer = new LinkedHashMap<>();
    private final List<Mapping> mappings = new ArrayList<>();
    private final Map<String, Object> unmapped = new LinkedHashMap<>();
    private final List<String> unmappedSteps = new ArrayList<>();
    private final Map<String, Object> samples = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> stepNotes = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<String> assumptions = new ArrayList<>();

    public ImportNotes(ImportFormat format, Object file) {
        importer.put("format", format.cliName());
        importer.put("file", String.valueOf(file));
    }

    /** Adds a field to {@code producer.extra.importer} (e.g. the markdown table chosen). */
    public void source(String key, Object value) {
        importer.put(key, value);
    }

    public void mapped(String original, String step) {
        mappings.add(new Mapping(original, step));
    }

    /** A value with no canonical step and no shape: kept in {@code producer.extra.unmapped}, not a step. */
    public void unmapped(String original, Object value) {
        unmapped.put(original, value);
    }

    /** A value with no canonical step, kept as a step under its prefixed original name. */
    public void unmappedStep(String original, String step) {
        unmappedSteps.add(original + " -> " + step);
        mappings.add(new Mapping(original, step));
    }

    /** Values that are only samples (no sum): kept in {@code producer.extra.samples}, not comparable. */
    public void samples(String original, Object values) {
        samples.put(original, values);
    }

    public void stepNote(String step, String key, Object value) {
        stepNotes.computeIfAbsent(step, k -> new LinkedHashMap<>()).put(key, value);
    }

    public void stepNote(String step, Map<String, Object> note) {
        stepNotes.computeIfAbsent(step, k -> new LinkedHashMap<>()).putAll(note);
    }

    public void warning(String text) {
        warnings.add(text);
    }

    public void assumption(String text) {
        assumptions.add(text);
    }

    public List<Mapping> mappings() {
        return List.copyOf(mappings);
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    public List<String> assumptions() {
        return List.copyOf(assumptions);
    }

    public Map<String, Object> samples() {
        return Map.copyOf(samples);
    }

    public Map<String, Object> unmapped() {
        return Map.copyOf(unmapped);
    }

    public Map<String, Map<String, Object>> stepNotes() {
        return Map.copyOf(stepNotes);
    }

    /** The trace's {@code producer.extra}: only the non-empty parts. */
    public Map<String, Object> toExtra() {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("importer", importer);
        Map<String, String> names = new LinkedHashMap<>();
        for (Mapping m : mappings) {
            names.put(m.step(), m.original());
        }
        extra.put("original_names", names);
        putIfNotEmpty(extra, "step_notes", stepNotes);
        putIfNotEmpty(extra, "samples", samples);
        putIfNotEmpty(extra, "unmapped", unmapped);
        if (!warnings.isEmpty()) {
            extra.put("warnings", warnings);
        }
        if (!assumptions.isEmpty()) {
            extra.put("assumptions", assumptions);
        }
        return extra;
    }

    private static void putIfNotEmpty(Map<String, Object> extra, String key, Map<String, ?> value) {
        if (!value.isEmpty()) {
            extra.put(key, value);
        }
    }

    /** The human summary: steps (original → canonical), kept-unmapped, samples, warnings, assumptions. */
    public void printSummary(PrintWriter out, int topK) {
        out.println("steps imported (" + mappings.size() + "):");
        for (Mapping m : mappings) {
            out.println("  " + m.original() + " -> " + m.step());
        }
        if (topK > 0) {
            out.println("top_k: " + topK + " entr" + (topK == 1 ? "y" : "ies"));
        }
        if (!unmappedSteps.isEmpty() || !unmapped.isEmpty()) {
            out.println("kept, not mapped to a canonical step (" + (unmappedSteps.size() + unmapped.size()) + "):");
            unmappedSteps.forEach(s -> out.println("  " + s));
            unmapped.forEach((k, v) -> out.println("  " + k + " = " + v + " (in producer.extra.unmapped)"));
        }
        if (!samples.isEmpty()) {
            out.println("samples kept, not comparable (" + samples.size() + ", in producer.extra.samples):");
            samples.keySet().forEach(k -> out.println("  " + k));
        }
        list(out, "warnings", warnings);
        list(out, "assumptions", assumptions);
        out.flush();
    }

    private static void list(PrintWriter out, String title, List<String> items) {
        if (!items.isEmpty()) {
            out.println(title + ":");
            items.forEach(s -> out.println("  - " + s));
        }
    }
}
