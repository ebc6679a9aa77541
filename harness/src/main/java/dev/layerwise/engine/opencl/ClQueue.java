package dev.layerwise.engine.opencl;

import static org.jocl.CL.CL_COMPLETE;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * The command queue of one run and the events that order its commands. Every command names the
 * activation buffers it reads and writes; it waits for the last write of each buffer it reads (its
 * producers) and, before writing a buffer, for that write and every read since, so the events alone
 * order the pass. The events of a run are released with it.
 *
 * <p>With a side queue (the missing-wait fault), commands held back by a {@link #gate} and every command
 * that waits for one of them go to the side queue, so that the main queue runs on past them: a consumer
 * enqueued later that does not wait for its producer then runs first. Two in-order queues do this on every
 * device; one out-of-order queue would not where the driver dispatches it in submission order (NVIDIA's),
 * and a held-back command would block the consumer behind it.
 */
final class ClQueue {
    private final cl_command_queue queue;
    private final cl_command_queue side;
    private final Map<cl_mem, cl_event> lastWrite = new IdentityHashMap<>();
    private final Map<cl_mem, List<cl_event>> readsSinceWrite = new IdentityHashMap<>();
    private final List<cl_event> events = new ArrayList<>();
    private final List<cl_event> gates = new ArrayList<>();
    private final Set<cl_event> held = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    /** One queue; {@code side} (or null) takes the held-back commands. */
    ClQueue(cl_command_queue queue, cl_command_queue side) {
        this.queue = queue;
        this.side = side;
    }

    /** True when commands can be held back (a side queue): a step may then wait for a later one. */
    boolean holdsBack() {
        return side != null;
    }

    /** The queue for a command with these waits: the side queue when it waits for a held-back command. */
    private cl_command_queue queueFor(cl_event[] waits) {
        if (side != null && waits != null) {
            for (cl_event w : waits) {
                if (held.contains(w)) {
                    return side;
                }
            }
        }
        return queue;
    }

    /**
     * The events a command must wait for: the producers of what it reads (unless {@code skipProducers},
     * the missing-wait fault) and the last write and the reads since of what it writes, plus {@code extra}.
     */
    private cl_event[] waitList(List<cl_mem> reads, List<cl_mem> writes, boolean skipProducers, cl_event extra) {
        Set<cl_event> waits = new LinkedHashSet<>();
        if (!skipProducers) {
            for (cl_mem m : reads) {
                addIfPresent(waits, lastWrite.get(m));
            }
        }
        for (cl_mem m : writes) {
            addIfPresent(waits, lastWrite.get(m));
            waits.addAll(readsSinceWrite.getOrDefault(m, List.of()));
        }
        addIfPresent(waits, extra);
        return waits.isEmpty() ? null : waits.toArray(new cl_event[0]);
    }

    private static void addIfPresent(Set<cl_event> set, cl_event e) {
        if (e != null) {
            set.add(e);
        }
    }

    /** Records that the command of {@code event}, enqueued on {@code on}, reads {@code reads} and writes {@code writes}. */
    private void enqueued(cl_event event, cl_command_queue on, List<cl_mem> reads, List<cl_mem> writes) {
        events.add(event);
        if (on == side) {
            held.add(event);
        }
        for (cl_mem m : reads) {
            if (!writes.contains(m)) {
                readsSinceWrite.computeIfAbsent(m, k -> new ArrayList<>()).add(event);
            }
        }
        for (cl_mem m : writes) {
            lastWrite.put(m, event);
            readsSinceWrite.remove(m);
        }
    }

    private static int count(cl_event[] waits) {
        return waits == null ? 0 : waits.length;
    }

    /** One OpenCL enqueue call, given the queue, the wait list and the event to fill. */
    @FunctionalInterface
    interface Command {
        void enqueue(cl_command_queue on, int waitCount, cl_event[] waits, cl_event event);
    }

    /**
     * Enqueues {@code command} after the events its buffers need ({@link #waitList}) on the queue those events call
     * for ({@link #queueFor}), records what it reads and writes, and returns its event.
     */
    cl_event submit(List<cl_mem> reads, List<cl_mem> writes, boolean skipProducers, cl_event extra, Command command) {
        cl_event[] waits = waitList(reads, writes, skipProducers, extra);
        cl_event e = new cl_event();
        cl_command_queue on = queueFor(waits);
        command.enqueue(on, count(waits), waits, e);
        enqueued(e, on, reads, writes);
        return e;
    }

    /** Blocking read of {@code n} floats from {@code offset} (in elements), after the buffer's last write. */
    void read(ClBuffer b, int offset, int n, float[] dst) {
        submit(List.of(b.mem), List.of(), false, null, (q, c, w, e) ->
                CL.clEnqueueReadBuffer(q, b.mem, true, 4L * offset, 4L * n, Pointer.to(dst), c, w, e));
    }

    /** Blocking write of {@code src[0 .. n)}, after every earlier use of the buffer. */
    void write(ClBuffer b, float[] src, int n) {
        submit(List.of(), List.of(b.mem), false, null, (q, c, w, e) ->
                CL.clEnqueueWriteBuffer(q, b.mem, true, 0, 4L * n, Pointer.to(src), c, w, e));
    }

    /** Starts reading {@code bytes} bytes of {@code m} into {@code dst} (a direct buffer); returns its event. */
    cl_event readAsync(cl_mem m, long bytes, ByteBuffer dst) {
        return submit(List.of(m), List.of(), false, null, (q, c, w, e) ->
                CL.clEnqueueReadBuffer(q, m, false, 0, bytes, Pointer.to(dst), c, w, e));
    }

    void fill(ClBuffer b, int n, float value) {
        fill(b, n, value, null);
    }

    /** Fills {@code b[0 .. n)} with {@code value}, also after {@code holdBack} when not null. */
    void fill(ClBuffer b, int n, float value, cl_event holdBack) {
        if (n > 0) {
            submit(List.of(), List.of(b.mem), false, holdBack, (q, c, w, e) -> CL.clEnqueueFillBuffer(q, b.mem,
                    Pointer.to(new float[] {value}), Sizeof.cl_float, 0, 4L * n, c, w, e));
        }
    }

    void copy(ClBuffer from, ClBuffer to, int n) {
        if (n > 0) {
            submit(List.of(from.mem), List.of(to.mem), false, null, (q, c, w, e) ->
                    CL.clEnqueueCopyBuffer(q, from.mem, to.mem, 0, 0, 4L * n, c, w, e));
        }
    }

    /** Blocks until the command of {@code event} has run. */
    static void await(cl_event event) {
        CL.clWaitForEvents(1, new cl_event[] {event});
    }

    /** {@code event} with one more reference, for a thread that awaits it after the run released its own. */
    static cl_event retain(cl_event event) {
        CL.clRetainEvent(event);
        return event;
    }

    static void awaitAndRelease(cl_event event) {
        try {
            await(event);
        } finally {
            CL.clReleaseEvent(event);
        }
    }

    /** A user event that holds back the commands waiting on it until {@link #open} (the missing-wait fault). */
    cl_event gate(org.jocl.cl_context context) {
        if (side == null) {
            throw new IllegalStateException("a gate needs a queue with a side queue");
        }
        cl_event gate = CL.clCreateUserEvent(context, null);
        events.add(gate);
        gates.add(gate);
        held.add(gate);
        return gate;
    }

    void open(cl_event gate) {
        if (gates.remove(gate)) {
            CL.clSetUserEventStatus(gate, CL_COMPLETE);
            CL.clFlush(side);
        }
    }

    /** Opens any gate still closed (a run that failed), waits for every command, releases the run's events. */
    void finishAndRelease() {
        for (cl_event gate : List.copyOf(gates)) {
            open(gate);
        }
        CL.clFinish(queue);
        if (side != null) {
            CL.clFinish(side);
        }
        held.clear();
        for (cl_event e : events) {
            CL.clReleaseEvent(e);
        }
        events.clear();
        lastWrite.clear();
        readsSinceWrite.clear();
    }
}
