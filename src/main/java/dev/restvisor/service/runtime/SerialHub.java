package dev.restvisor.service.runtime;

import dev.restvisor.core.devices.uart16550.Uart16550;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One serial port's byte streams between the guest and its viewers. Output is kept in a
 * {@link #SCROLLBACK}-byte scrollback that a new viewer gets first, and fanned out to every viewer
 * in batches. Input is queued (up to {@link #INPUT_LIMIT} bytes) and fed to the UART as fast as
 * its receive side accepts it, so a paste loses nothing.
 */
public final class SerialHub {
    public static final int SCROLLBACK = 256 * 1024;
    public static final int INPUT_LIMIT = 1 << 20;

    private final byte[] ring = new byte[SCROLLBACK];
    private long written;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final List<Consumer<byte[]>> viewers = new CopyOnWriteArrayList<>();
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

    /** A byte from the guest (vcpu thread). */
    public synchronized void output(int b) {
        ring[(int) (written++ % SCROLLBACK)] = (byte) b;
        pending.write(b);
    }

    /** Everything still in the scrollback, oldest first. */
    public synchronized byte[] scrollback() {
        int n = (int) Math.min(written, SCROLLBACK);
        byte[] out = new byte[n];
        int start = (int) ((written - n) % SCROLLBACK);
        for (int i = 0; i < n; i++) {
            out[i] = ring[(start + i) % SCROLLBACK];
        }
        return out;
    }

    /** Total bytes the guest ever wrote on this port. */
    public synchronized long bytesWritten() {
        return written;
    }

    /** Adds a viewer: it gets the scrollback, then every new batch. Returns the unsubscribe handle. */
    public Runnable attach(Consumer<byte[]> viewer) {
        synchronized (this) {
            flush();
            byte[] history = scrollback();
            if (history.length > 0) {
                viewer.accept(history);
            }
            viewers.add(viewer);
        }
        return () -> viewers.remove(viewer);
    }

    /**
     * Queues input for the guest. Returns false, taking nothing, when the queue would exceed
     * {@link #INPUT_LIMIT}.
     */
    public synchronized boolean input(byte[] bytes) {
        if (uart == null || inputQueued + bytes.length > INPUT_LIMIT) {
            return false;
        }
        if (bytes.length > 0) {
            input.addLast(bytes.clone());
            inputQueued += bytes.length;
        }
        return true;
    }

    public synchronized int inputQueued() {
        return inputQueued;
    }

    /** Sends pending output to viewers and feeds queued input to the UART; run periodically. */
    synchronized void pump() {
        flush();
        boolean accepted = false;
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
        if (accepted) {
            inputAccepted.run();
        }
    }

    private void flush() {
        if (pending.size() == 0) {
            return;
        }
        byte[] batch = pending.toByteArray();
        pending.reset();
        for (Consumer<byte[]> v : viewers) {
            v.accept(batch);
        }
    }
}
