package dev.restvisor.service.console;

import dev.restvisor.service.runtime.ManagedVm;
import dev.restvisor.service.runtime.SerialHub;
import dev.restvisor.service.runtime.ViewerBuffer;
import dev.restvisor.service.runtime.VmRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * {@code /vms/{id}/console?port=com1}: the UART's bytes both ways. A new viewer gets the scrollback
 * first. Each viewer has its own bounded buffer and sending thread ({@link ViewerBuffer}): a viewer
 * that does not keep up loses its own excess output, counted in the VM's {@code counters.consoles},
 * and slows down nothing else. Its sends never time out: a viewer that stops reading for a while
 * stays connected and gets output again once it reads (a dead peer is still found by TCP, whose
 * reset or retransmission timeout fails the blocked send, and a closed session or deleted VM
 * interrupts it).
 *
 * <p>Input: every non-empty binary frame, and every non-empty text frame as its UTF-8 bytes (what
 * scripts type), is serial input for the port. A frame that cannot be input (an empty one, or any
 * frame to the output-only e9 console) is ignored and counted in the port's and the VM's
 * {@code bad_frames}; the session goes on. Input beyond the port's queue is refused with a text
 * frame saying so, and counted; nothing is dropped silently. When the VM is deleted the session is
 * closed with {@link StreamClose#VM_DELETED}.
 */
public class ConsoleSocket extends AbstractWebSocketHandler {
    private final VmRegistry registry;
    private final Map<String, Viewer> viewers = new ConcurrentHashMap<>();

    /** Tomcat closes a session whose blocking send has waited this long (20 s by default); -1: never. */
    static final String BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
    /** How long the frame being sent may take to finish before the session closes for a deleted VM. */
    private static final Duration LAST_FRAME = Duration.ofSeconds(2);

    /**
     * A connected viewer: its port, its buffer, the lock that keeps its frames apart, and the handle that
     * cancels its close on VM deletion.
     */
    private record Viewer(SerialHub hub, ViewerBuffer buffer, Object sendLock, Runnable cancelOnDelete) {
    }

    public ConsoleSocket(VmRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        Map<String, Object> attrs = session.getAttributes();
        ManagedVm vm = registry.get((String) attrs.get(Handshake.VM_ID));
        SerialHub hub = Handshake.serialHub(vm, (String) attrs.get(Handshake.PORT));
        if (session instanceof NativeWebSocketSession n && n.getNativeSession() instanceof jakarta.websocket.Session s) {
            s.getUserProperties().put(BLOCKING_SEND_TIMEOUT, -1L);
        }
        Object sendLock = new Object();
        ViewerBuffer buffer = hub.attach(session.getId(), bytes -> send(session, sendLock, new BinaryMessage(bytes)),
                () -> closeQuietly(session, CloseStatus.SESSION_NOT_RELIABLE));
        viewers.put(session.getId(), new Viewer(hub, buffer, sendLock, () -> { }));
        Runnable cancel = vm.onDelete(() -> vmDeleted(session, vm.id()));
        viewers.computeIfPresent(session.getId(), (key, v) -> new Viewer(v.hub(), v.buffer(), v.sendLock(), cancel));
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        input(session, toBytes(message.getPayload()));
    }

    /** Text frames are input too, as UTF-8 (what scripts type). */
    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        input(session, message.asBytes());
    }

    /**
     * Queues input. A refusal is sent on a thread of its own: this is Tomcat's reading thread, and the
     * viewer's sender, whose lock the refusal needs, may be blocked on a viewer that does not read.
     */
    private void input(WebSocketSession session, byte[] bytes) {
        Viewer viewer = viewers.get(session.getId());
        if (viewer != null && viewer.hub().input(bytes) == SerialHub.Input.QUEUE_FULL) {
            TextMessage refusal = new TextMessage("{\"error\":\"the serial input queue is full (" + SerialHub.INPUT_LIMIT
                    + " bytes): these " + bytes.length + " bytes were not queued; send them again later\"}");
            Thread.ofVirtual().start(() -> {
                try {
                    send(session, viewer.sendLock(), refusal);
                } catch (IOException e) {
                    // the viewer has gone; its session closes
                }
            });
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Viewer viewer = viewers.remove(session.getId());
        if (viewer != null) {
            viewer.cancelOnDelete().run();
            viewer.hub().detach(viewer.buffer(), Duration.ZERO);
        }
    }

    /** The viewer's VM is gone: its last frame is sent, its thread ends, and the session closes saying why. */
    private void vmDeleted(WebSocketSession session, String vmId) {
        Viewer viewer = viewers.remove(session.getId());
        if (viewer != null) {
            viewer.hub().detach(viewer.buffer(), LAST_FRAME);
            closeQuietly(session, StreamClose.vmDeleted(vmId));
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
