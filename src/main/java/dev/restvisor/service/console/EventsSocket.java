package dev.restvisor.service.console;

import dev.restvisor.service.runtime.ManagedVm;
import dev.restvisor.service.runtime.VmEvent;
import dev.restvisor.service.runtime.VmRegistry;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /vms/{id}/events?after=seq}: one JSON text frame per event, {@code {"seq", "time",
 * "type", "vcpu", ...}}, history after {@code seq} first. Events are published on vcpu threads, so
 * each subscriber has its own queue and sending thread; a subscriber that falls
 * {@link #QUEUE_LIMIT} events behind is closed with a reason naming the last sequence number it was
 * sent, from which it resumes with {@code ?after=}, rather than losing events silently. The stream
 * takes no input: a frame from the client is ignored and counted in the VM's
 * {@code counters.bad_frames}.
 */
public class EventsSocket extends AbstractWebSocketHandler {
    /** Events a subscriber may have waiting. */
    static final int QUEUE_LIMIT = 8192;
    /** The close code for a subscriber that fell behind (private-use range of RFC 6455). */
    static final int TOO_SLOW = 4008;

    private final VmRegistry registry;
    private final JsonMapper json;
    private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();

    public EventsSocket(VmRegistry registry, JsonMapper json) {
        this.registry = registry;
        this.json = json;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        ManagedVm vm = registry.get((String) session.getAttributes().get(Handshake.VM_ID));
        long after = (Long) session.getAttributes().get(Handshake.AFTER);
        Subscriber s = new Subscriber(session, vm, after);
        subscribers.put(session.getId(), s);
        s.unsubscribe = vm.events().subscribe(after, s::offer);
        Thread.ofVirtual().name("events-" + session.getId()).start(s::drain);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        ignored(session);
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        ignored(session);
    }

    private void ignored(WebSocketSession session) {
        Subscriber s = subscribers.get(session.getId());
        if (s != null) {
            s.vm.badFrame();
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Subscriber s = subscribers.remove(session.getId());
        if (s != null) {
            s.close();
        }
    }

    private String frame(VmEvent e) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("seq", e.seq());
        frame.put("time", e.time().toString());
        frame.put("type", e.type());
        if (e.vcpu() >= 0) {
            frame.put("vcpu", e.vcpu());
        }
        frame.putAll(e.data());
        return json.writeValueAsString(frame);
    }

    private final class Subscriber {
        final WebSocketSession session;
        final ManagedVm vm;
        final ArrayDeque<VmEvent> queue = new ArrayDeque<>();
        volatile Runnable unsubscribe = () -> { };
        long lastSent;
        boolean closed;
        String closeReason;

        Subscriber(WebSocketSession session, ManagedVm vm, long after) {
            this.session = session;
            this.vm = vm;
            this.lastSent = after;
        }

        /** Called on the publishing thread: never blocks. */
        synchronized void offer(VmEvent e) {
            if (closed) {
                return;
            }
            if (queue.size() >= QUEUE_LIMIT) {
                closeReason = "this client fell " + QUEUE_LIMIT + " events behind; reconnect with ?after=" + lastSent;
                closed = true;
                queue.clear();
            } else {
                queue.addLast(e);
            }
            notifyAll();
        }

        synchronized void close() {
            closed = true;
            queue.clear();
            notifyAll();
        }

        void drain() {
            try {
                while (true) {
                    VmEvent e;
                    synchronized (this) {
                        while (queue.isEmpty() && !closed) {
                            wait();
                        }
                        if (closed) {
                            break;
                        }
                        e = queue.removeFirst();
                    }
                    if (!session.isOpen()) {
                        break;
                    }
                    session.sendMessage(new TextMessage(frame(e)));
                    synchronized (this) {
                        lastSent = e.seq();
                    }
                }
            } catch (IOException | RuntimeException | InterruptedException ex) {
                synchronized (this) {
                    closed = true;
                }
            }
            unsubscribe.run();
            String reason;
            synchronized (this) {
                reason = closeReason;
            }
            try {
                session.close(reason == null ? CloseStatus.SESSION_NOT_RELIABLE : new CloseStatus(TOO_SLOW, reason));
            } catch (IOException | RuntimeException ignored) {
                // the session is gone either way
            }
        }
    }
}
