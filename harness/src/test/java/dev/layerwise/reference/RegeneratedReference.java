package dev.layerwise.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.TraceComparator;
import dev.layerwise.trace.Trace;

/**
 * Whether a regenerated reference is the committed one, as far as any CPU can reproduce it: Layerwise's own compare
 * passes with every reference step compared. Bit-equality is reported, not demanded (torch's CPU kernels differ in
 * the last bits between CPU kinds and instruction sets).
 */
final class RegeneratedReference {
    private RegeneratedReference() {
    }

    /** Asserts the pass with full coverage; returns the number of bit-identical steps. */
    static long assertSame(String name, Trace committed, Trace regenerated) {
        // compare would accept another dtype within the coarser one's tolerance; a regeneration keeps the dtype
        assertEquals(committed.dtype(), regenerated.dtype(), name + ": dtype");
        Comparison c = TraceComparator.create().withMinCoverage(1).compare(committed, regenerated);
        assertEquals("pass", c.verdict(), () -> name + ": " + (!c.comparable() ? c.notComparable()
                : c.coverageTooLow() ? c.coverageShortfall()
                : c.firstDivergence() + ": " + c.step(c.firstDivergence()).orElseThrow().reason()));
        assertTrue(c.coverage().full() && c.coverage().unmatched().isEmpty(), () -> name + ": "
                + c.coverage().describe() + "; steps only in the regenerated one: " + c.coverage().unmatched());
        return c.steps().stream().filter(s -> Boolean.TRUE.equals(s.metrics().bitIdentical())).count();
    }
}
