package dev.layerwise.importer;

import dev.layerwise.trace.Trace;

/** An imported trace and the notes that explain how it was mapped (printed as the import summary). */
public record ImportResult(Trace trace, ImportNotes notes) {
}
