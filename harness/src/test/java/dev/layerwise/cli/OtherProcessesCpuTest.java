package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OtherProcessesCpuTest {

    @Test
    void busyTicksCountUserNiceSystemIrqSoftirqAndStealButNotIdleOrIowait() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        assertEquals(1 + 2 + 3 + 6 + 7 + 8,
                OtherProcessesCpu.busyTicks("cpu  1 2 3 4000 5000 6 7 8 900 1000"));
        assertEquals(-1, OtherProcessesCpu.busyTicks("cpu0 1 2 3 4 5 6 7 8"));
    }

    @Test
    void otherCoresAreTheMachinesBusyTimeMinusThisProcessPerWallSecond() {
        var from = new OtherProcessesCpu.Sample(1_000, 5_000_000_000L, 0);
        // 2 s of wall: the machine was busy 300 ticks (3 s), this process used 2 s: others used 0.5 cores
        var to = new OtherProcessesCpu.Sample(1_300, 7_000_000_000L, 2_000_000_000L);
        assertEquals(0.5, OtherProcessesCpu.coresBetween(from, to), 1e-12);
        var unknown = new OtherProcessesCpu.Sample(-1, 0, 0);
        assertTrue(Double.isNaN(OtherProcessesCpu.coresBetween(unknown, to)));
    }
}
