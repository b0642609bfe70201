package dev.restvisor.core.vm;

import dev.restvisor.core.io.Clock;
import java.util.function.LongSupplier;

/**
 * The deterministic time base: one nanosecond per retired instruction, plus the time skipped
 * while every vcpu halted. The same guest, images and input give the same clock readings.
 */
public final class VirtualClock implements Clock {
    private final LongSupplier retired;
    private volatile long skipped;

    public VirtualClock(LongSupplier retiredInstructions) {
        this.retired = retiredInstructions;
    }

    @Override
    public long nanos() {
        return retired.getAsLong() + skipped;
    }

    /** Moves time forward to {@code deadline} (used while all vcpus halt); never backwards. */
    public synchronized void advanceTo(long deadline) {
        long now = nanos();
        if (deadline > now) {
            skipped += deadline - now;
        }
    }

    public long skipped() {
        return skipped;
    }

    public synchronized void restoreSkipped(long value) {
        skipped = value;
    }
}
