package dev.restvisor.service.runtime;

import dev.restvisor.core.devices.uart16550.Uart16550;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One serial port's byte streams between the guest and its viewers. Output is kept in a
 * {@link #SCROLLBACK}-byte scrollback that a new viewer gets first, and fanned out to every viewer
 * in batches. Input is queued (up to {@link #INPUT_LIMIT} bytes) and fed to the UART as fast as
 * its receive side accepts it, so a paste loses nothing.
 *
 * <p>Three locks, never nested the wrong way round: a vcpu thread writes output while it holds the
 * UART's lock (the UART calls {@link #output}), so {@link #output} takes only {@code outputLock},
 * and nothing that holds {@code outputLock} calls into the UART or a viewer. Input is fed under
 * {@code inputLock}, which then takes the UART's lock; no vcpu thread ever takes {@code inputLock}.
 * Viewers are handed output under {@code deliveryLock} only, and a viewer never blocks there: each
 * has its own bounded {@link ViewerBuffer} drained by its own thread, so a slow viewer loses its
 * own excess (counted) and holds up neither the pump, nor other viewers, nor a vcpu. (Holding one
 * lock for all three once deadlocked a vcpu against the pump when input arrived while the guest
 * was printing.)
 */
public final class SerialHub {
    public static final int SCROLLBACK = 256 * 1024;
    public static final int INPUT_LIMIT = 1 << 20;

    private final Object outputLock = new Object();
    private final Object inputLock = new Object();
    private final Object deliveryLock = new Object();
    private final byte[] ring = new byte[SCROLLBACK];
    private long written;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final List<ViewerBuffer> viewers = new CopyOnWriteArrayList<>();
    private final AtomicLong viewerBytesDropped = new AtomicLong();
    private final AtomicLong inputRefused = new AtomicLong();
    private final ArrayDeque<byte[]> input = new ArrayDeque<>();
    private int inputOffset;
    private int inputQueued;
    private final Uart16550 uart;
    private final Runnable inputAccepted;

    /**
     * @param uart the UART whose receive side takes input, or null for an output-only stream (0xE9)
     * @param inputAccepted run after the UART took input (wakes a halted vcpu)
     */
    SerialHub(Uart16550 uart, Runnable inputAccepted) {
        this.uart = uart;
        this.inputAccepted = inputAccepted;
    }

    /** A byte from the guest (vcpu thread, holding the UART's lock). */
    public void output(int b) {
        synchronized (outputLock) {
            ring[(int) (written++ % SCROLLBACK)] = (byte) b;
            pending.write(b);
        }
    }

    /** Everything still in the scrollback, oldest first. */
    public byte[] scrollback() {
        synchronized (outputLock) {
            int n = (int) Math.min(written, SCROLLBACK);
            byte[] out = new byte[n];
            int start = (int) ((written - n) % SCROLLBACK);
            for (int i = 0; i < n; i++) {
                out[i] = ring[(start + i) % SCROLLBACK];
            }
            return out;
        }
    }

    /** Total bytes the guest ever wrote on this port. */
    public long bytesWritten() {
        synchronized (outputLock) {
            return written;
        }
    }

    /**
     * Adds a viewer: its buffer gets the scrollback, then every new batch, and its own thread sends
     * them through {@code sink}. {@code failed} runs when a send fails; the viewer is detached by then.
     * Close the returned buffer to detach.
     */
    public ViewerBuffer attach(String id, ViewerBuffer.Sink sink, Runnable failed) {
        ViewerBuffer[] self = new ViewerBuffer[1];
        ViewerBuffer viewer = new ViewerBuffer(id, sink, () -> {
            viewers.remove(self[0]);
            failed.run();
        }, viewerBytesDropped);
        self[0] = viewer;
        synchronized (deliveryLock) {
            flush();
            byte[] history = scrollback();
            if (history.length > 0) {
                viewer.offer(history);
            }
            viewers.add(viewer);
        }
        viewer.start();
        return viewer;
    }

    /** Removes a viewer and stops its sending. */
    public void detach(ViewerBuffer viewer) {
        viewers.remove(viewer);
        viewer.close();
    }

    /** The viewers attached now. */
    public List<ViewerBuffer> viewers() {
        return List.copyOf(viewers);
    }

    /** Bytes dropped for slow viewers, all viewers of this port ever attached together. */
    public long viewerBytesDropped() {
        return viewerBytesDropped.get();
    }

    /** Input frames refused because the input queue was full. */
    public long inputRefused() {
        return inputRefused.get();
    }

    /**
     * Queues input for the guest. Returns false, taking nothing, when the queue would exceed
     * {@link #INPUT_LIMIT}.
     */
    public boolean input(byte[] bytes) {
        synchronized (inputLock) {
            if (uart == null || inputQueued + bytes.length > INPUT_LIMIT) {
                inputRefused.incrementAndGet();
                return false;
            }
            if (bytes.length > 0) {
                input.addLast(bytes.clone());
                inputQueued += bytes.length;
            }
            return true;
        }
    }

    public int inputQueued() {
        synchronized (inputLock) {
            return inputQueued;
        }
    }

    /** Sends pending output to viewers and feeds queued input to the UART; run periodically. */
    void pump() {
        synchronized (deliveryLock) {
            flush();
        }
        if (uart != null && feed()) {
            inputAccepted.run();
        }
    }

    /** Moves queued input into the UART as far as its receiver has room; true when it took any. */
    private boolean feed() {
        boolean accepted = false;
        synchronized (inputLock) {
            while (!input.isEmpty()) {
                byte[] head = input.peekFirst();
                int n = uart.receive(head, inputOffset, head.length - inputOffset);
                if (n > 0) {
                    accepted = true;
                    inputOffset += n;
                    inputQueued -= n;
                }
                if (inputOffset < head.length) {
                    break;
                }
                input.removeFirst();
                inputOffset = 0;
            }
        }
        return accepted;
    }

    /** Hands pending output to every viewer; the caller holds {@code deliveryLock}. */
    private void flush() {
        byte[] batch;
        synchronized (outputLock) {
            if (pending.size() == 0) {
                return;
            }
            batch = pending.toByteArray();
            pending.reset();
        }
        for (ViewerBuffer v : viewers) {
            v.offer(batch);
        }
    }
}
