package dev.restvisor.service.runtime;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One console viewer's outgoing bytes: a buffer of at most {@link #LIMIT} bytes that the serial
 * pump fills without ever waiting, drained by the viewer's own virtual thread through a blocking
 * {@link Sink}. A viewer that reads slower than the guest writes fills its buffer; what does not
 * fit is dropped for that viewer alone and counted, while the pump, every other viewer and the
 * vcpus go on. (One pump thread serves every VM, so a send that blocked it once held up every
 * console.)
 */
public final class ViewerBuffer {
    /** Bytes a viewer may have waiting: the whole scrollback plus room for live output behind it. */
    public static final int LIMIT = SerialHub.SCROLLBACK + 256 * 1024;
    /** The largest frame a viewer is sent at once. */
    static final int MAX_FRAME = 64 * 1024;

    /** Sends one frame; may block as long as the client takes. */
    @FunctionalInterface
    public interface Sink {
        void send(byte[] frame) throws Exception;
    }

    private final String id;
    private final Sink sink;
    private final Runnable failed;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private int queued;
    private boolean closed;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedTotal;
    private final Thread drainer;

    /**
     * @param failed run once when a send fails (the client is gone); the buffer is closed by then
     * @param droppedTotal the port's count of bytes dropped for all its viewers, added to here
     */
    ViewerBuffer(String id, Sink sink, Runnable failed, AtomicLong droppedTotal) {
        this.id = id;
        this.sink = sink;
        this.failed = failed;
        this.droppedTotal = droppedTotal;
        this.drainer = Thread.ofVirtual().name("console-viewer-" + id).unstarted(this::drain);
    }

    void start() {
        drainer.start();
    }

    /** Queues what fits and drops (and counts) the rest; never blocks. */
    void offer(byte[] bytes) {
        int excess;
        synchronized (this) {
            if (closed) {
                return;
            }
            int room = LIMIT - queued;
            int take = Math.min(room, bytes.length);
            if (take > 0) {
                queue.addLast(take == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, take));
                queued += take;
                notifyAll();
            }
            excess = bytes.length - take;
        }
        if (excess > 0) {
            dropped.addAndGet(excess);
            droppedTotal.addAndGet(excess);
        }
    }

    private void drain() {
        while (true) {
            byte[] frame;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (closed) {
                    return;
                }
                frame = take();
            }
            try {
                sink.send(frame);
                sent.addAndGet(frame.length);
            } catch (Exception e) {
                close();
                failed.run();
                return;
            }
        }
    }

    /** Up to {@link #MAX_FRAME} queued bytes as one frame; the caller holds the lock. */
    private byte[] take() {
        if (queue.peekFirst().length >= MAX_FRAME || queue.size() == 1) {
            byte[] head = queue.removeFirst();
            if (head.length <= MAX_FRAME) {
                queued -= head.length;
                return head;
            }
            queue.addFirst(java.util.Arrays.copyOfRange(head, MAX_FRAME, head.length));
            queued -= MAX_FRAME;
            return java.util.Arrays.copyOf(head, MAX_FRAME);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (!queue.isEmpty() && out.size() + queue.peekFirst().length <= MAX_FRAME) {
            out.writeBytes(queue.removeFirst());
        }
        queued -= out.size();
        return out.toByteArray();
    }

    /** Stops sending; bytes still queued are discarded. */
    public void close() {
        synchronized (this) {
            closed = true;
            queue.clear();
            queued = 0;
            notifyAll();
        }
    }

    public String id() {
        return id;
    }

    /** Bytes this viewer was sent. */
    public long bytesSent() {
        return sent.get();
    }

    /** Bytes dropped for this viewer because its buffer was full. */
    public long bytesDropped() {
        return dropped.get();
    }

    /** Bytes waiting to be sent. */
    public synchronized int bytesQueued() {
        return queued;
    }
}
