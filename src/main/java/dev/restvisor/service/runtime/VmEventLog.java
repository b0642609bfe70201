package dev.restvisor.service.runtime;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A VM's events: a bounded history for late subscribers ({@code ?after=seq}) and live fan-out to
 * subscribers. Listeners run on the publishing thread and must not block.
 *
 * <p>Sequence numbers count up by one per event. A log starts at the microsecond clock of its creation, so
 * the numbers of a VM listed again after a service restart begin above every number the previous service
 * issued (unless it averaged more than one event per microsecond): a client resuming with {@code ?after=}
 * from before the restart gets every event of the new service instead of waiting, silently, for the count
 * to pass its old position.
 */
public final class VmEventLog {
    /** Events kept for replay. */
    public static final int HISTORY = 4096;

    private final ArrayDeque<VmEvent> history = new ArrayDeque<>();
    private final List<Consumer<VmEvent>> listeners = new CopyOnWriteArrayList<>();
    private long nextSeq = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());

    public void publish(String type, int vcpu, Map<String, Object> data) {
        VmEvent e;
        synchronized (this) {
            e = new VmEvent(nextSeq++, Instant.now(), type, vcpu, data);
            history.addLast(e);
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
        }
        for (Consumer<VmEvent> l : listeners) {
            l.accept(e);
        }
    }

    /** Events with a sequence number above {@code after}, oldest first. */
    public synchronized List<VmEvent> since(long after) {
        List<VmEvent> out = new ArrayList<>();
        for (VmEvent e : history) {
            if (e.seq() > after) {
                out.add(e);
            }
        }
        return out;
    }

    /** Replays history after {@code after}, then delivers live events; returns a handle that unsubscribes. */
    public Runnable subscribe(long after, Consumer<VmEvent> listener) {
        long[] last = {after};
        Consumer<VmEvent> inOrder = e -> {
            synchronized (last) {
                // an event published while the history was replayed arrives twice; deliver it once
                if (e.seq() > last[0]) {
                    last[0] = e.seq();
                    listener.accept(e);
                }
            }
        };
        synchronized (this) {
            for (VmEvent e : since(after)) {
                inOrder.accept(e);
            }
            listeners.add(inOrder);
        }
        return () -> listeners.remove(inOrder);
    }
}
