package dev.layerwise.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many cores other processes kept busy during an interval: the machine's busy time from {@code /proc/stat}
 * (user, nice, system, irq, softirq, steal) minus this process's own CPU time, divided by the wall time. Used by
 * {@code layerwise bench} to tell rounds measured on a quiet machine from rounds that shared it.
 */
final class OtherProcessesCpu {
    /** /proc/stat counts in USER_HZ, which Linux fixes at 100 for user space. */
    private static final double TICKS_PER_SECOND = 100;
    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** One reading; {@code busyTicks} is -1 where /proc/stat cannot be read (not Linux). */
    record Sample(long busyTicks, long ownCpuNanos, long wallNanos) {
    }

    private OtherProcessesCpu() {
    }

    static Sample sample() {
        return new Sample(busyTicks(), ownCpuNanos(), System.nanoTime());
    }

    /** Cores other processes used on average between the two samples, or NaN when unknown. */
    static double coresBetween(Sample from, Sample to) {
        if (from.busyTicks() < 0 || to.busyTicks() < 0 || to.wallNanos() <= from.wallNanos()) {
            return Double.NaN;
        }
        double busy = (to.busyTicks() - from.busyTicks()) / TICKS_PER_SECOND;
        double own = (to.ownCpuNanos() - from.ownCpuNanos()) / 1e9;
        // /proc/stat ticks are coarse (10 ms): a short quiet interval can come out slightly negative
        return Math.max(0, (busy - own) / ((to.wallNanos() - from.wallNanos()) / 1e9));
    }

    /** Busy ticks of all CPUs from the first ("cpu ") line of /proc/stat. */
    static long busyTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (f.length < 8 || !f[0].equals("cpu")) {
            return -1;
        }
        long busy = 0;
        // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user and nice]
        int[] busyFields = {1, 2, 3, 6, 7, 8};
        for (int i : busyFields) {
            if (i < f.length) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy;
    }

    private static long busyTicks() {
        try (var lines = Files.lines(PROC_STAT)) {
            return lines.findFirst().map(OtherProcessesCpu::busyTicks).orElse(-1L);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU time of this whole process (all threads: workers, recorder, JIT, GC), or 0 when unknown. */
    static long ownCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
