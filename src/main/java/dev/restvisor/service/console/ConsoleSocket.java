package dev.restvisor.service.console;

import dev.restvisor.service.runtime.ManagedVm;
import dev.restvisor.service.runtime.SerialHub;
import dev.restvisor.service.runtime.VmRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * {@code /vms/{id}/console?port=com1}: binary frames to the UART, binary frames from it. A new
 * viewer gets the scrollback first. Input beyond the port's queue is refused with a text frame
 * saying so; nothing is dropped silently.
 */
public class ConsoleSocket extends AbstractWebSocketHandler {
    private static final int SEND_TIME_LIMIT_MS = 10_000;
    private static final int SEND_BUFFER_LIMIT = 4 << 20;

    private final VmRegistry registry;
    private final Map<String, Runnable> detach = new ConcurrentHashMap<>();

    public ConsoleSocket(VmRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession raw) throws IOException {
        WebSocketSession session = new ConcurrentWebSocketSessionDecorator(raw, SEND_TIME_LIMIT_MS, SEND_BUFFER_LIMIT);
        SerialHub hub = hub(raw);
        detach.put(raw.getId(), hub.attach(bytes -> send(session, bytes)));
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) throws IOException {
        input(session, toBytes(message.getPayload()));
    }

    /** Text frames are accepted too (xterm.js onData gives strings); they are sent as UTF-8. */
    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
        input(session, message.asBytes());
    }

    private void input(WebSocketSession session, byte[] bytes) throws IOException {
        if (!hub(session).input(bytes)) {
            session.sendMessage(new TextMessage("{\"error\":\"the serial input queue is full (" + SerialHub.INPUT_LIMIT
                    + " bytes): these " + bytes.length + " bytes were not queued; send them again later\"}"));
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Runnable r = detach.remove(session.getId());
        if (r != null) {
            r.run();
        }
    }

    private SerialHub hub(WebSocketSession session) {
        Map<String, Object> attrs = session.getAttributes();
        ManagedVm vm = registry.get((String) attrs.get(Handshake.VM_ID));
        return Handshake.serialHub(vm, (String) attrs.get(Handshake.PORT));
    }

    private static void send(WebSocketSession session, byte[] bytes) {
        try {
            if (session.isOpen()) {
                session.sendMessage(new BinaryMessage(bytes));
            }
        } catch (IOException | IllegalStateException e) {
            try {
                session.close(CloseStatus.SESSION_NOT_RELIABLE);
            } catch (IOException ignored) {
                // the session is gone either way
            }
        }
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.get(b);
        return b;
    }
}
