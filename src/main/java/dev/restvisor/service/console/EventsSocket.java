package dev.restvisor.service.console;

import dev.restvisor.service.runtime.VmEvent;
import dev.restvisor.service.runtime.VmRegistry;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /vms/{id}/events?after=seq}: one JSON text frame per event, {@code {"seq", "time",
 * "type", "vcpu", ...}}, history after {@code seq} first.
 */
public class EventsSocket extends TextWebSocketHandler {
    private final VmRegistry registry;
    private final JsonMapper json;
    private final Map<String, Runnable> detach = new ConcurrentHashMap<>();

    public EventsSocket(VmRegistry registry, JsonMapper json) {
        this.registry = registry;
        this.json = json;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession raw) {
        WebSocketSession session = new ConcurrentWebSocketSessionDecorator(raw, 10_000, 4 << 20);
        var vm = registry.get((String) raw.getAttributes().get(Handshake.VM_ID));
        long after = (Long) raw.getAttributes().get(Handshake.AFTER);
        detach.put(raw.getId(), vm.events().subscribe(after, e -> send(session, e)));
    }

    private void send(WebSocketSession session, VmEvent e) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("seq", e.seq());
        frame.put("time", e.time().toString());
        frame.put("type", e.type());
        if (e.vcpu() >= 0) {
            frame.put("vcpu", e.vcpu());
        }
        frame.putAll(e.data());
        try {
            if (session.isOpen()) {
                session.sendMessage(new TextMessage(json.writeValueAsString(frame)));
            }
        } catch (IOException | IllegalStateException ex) {
            try {
                session.close(CloseStatus.SESSION_NOT_RELIABLE);
            } catch (IOException ignored) {
                // the session is gone either way
            }
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Runnable r = detach.remove(session.getId());
        if (r != null) {
            r.run();
        }
    }
}
