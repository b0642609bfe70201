package dev.restvisor.service.console;

import dev.restvisor.service.runtime.ManagedVm;
import dev.restvisor.service.runtime.SerialHub;
import dev.restvisor.service.runtime.ViewerBuffer;
import dev.restvisor.service.runtime.VmRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * {@code /vms/{id}/console?port=com1}: binary frames to the UART, binary frames from it. A new
 * viewer gets the scrollback first. Each viewer has its own bounded buffer and sending thread
 * ({@link ViewerBuffer}): a viewer that does not keep up loses its own excess output, counted in
 * the VM's {@code counters.consoles}, and slows down nothing else. Input beyond the port's queue is
 * refused with a text frame saying so, and counted; nothing is dropped silently.
 */
public class ConsoleSocket extends AbstractWebSocketHandler {
    private final VmRegistry registry;
    private final Map<String, Viewer> viewers = new ConcurrentHashMap<>();

    /** A connected viewer: its VM and port, its buffer, and the lock that keeps its frames apart. */
    private record Viewer(ManagedVm vm, SerialHub hub, ViewerBuffer buffer, Object sendLock) {
    }

    public ConsoleSocket(VmRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        Map<String, Object> attrs = session.getAttributes();
        ManagedVm vm = registry.get((String) attrs.get(Handshake.VM_ID));
        SerialHub hub = Handshake.serialHub(vm, (String) attrs.get(Handshake.PORT));
        Object sendLock = new Object();
        ViewerBuffer buffer = hub.attach(session.getId(), bytes -> send(session, sendLock, new BinaryMessage(bytes)),
                () -> closeQuietly(session, CloseStatus.SESSION_NOT_RELIABLE));
        viewers.put(session.getId(), new Viewer(vm, hub, buffer, sendLock));
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) throws IOException {
        input(session, toBytes(message.getPayload()));
    }

    /** Text frames are input too, as UTF-8 (what xterm.js's onData gives and scripts type). */
    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
        input(session, message.asBytes());
    }

    private void input(WebSocketSession session, byte[] bytes) throws IOException {
        Viewer viewer = viewers.get(session.getId());
        if (viewer == null) {
            return;
        }
        if (!viewer.hub().input(bytes)) {
            send(session, viewer.sendLock(), new TextMessage("{\"error\":\"the serial input queue is full ("
                    + SerialHub.INPUT_LIMIT + " bytes): these " + bytes.length + " bytes were not queued; send them again later\"}"));
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Viewer viewer = viewers.remove(session.getId());
        if (viewer != null) {
            viewer.hub().detach(viewer.buffer());
        }
    }

    private static void send(WebSocketSession session, Object lock, WebSocketMessage<?> message) throws IOException {
        synchronized (lock) {
            if (!session.isOpen()) {
                throw new IOException("the viewer has gone");
            }
            session.sendMessage(message);
        }
    }

    private static void closeQuietly(WebSocketSession session, CloseStatus status) {
        try {
            session.close(status);
        } catch (IOException | RuntimeException ignored) {
            // the session is gone either way
        }
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.get(b);
        return b;
    }
}
