package dev.restvisor.core.io;

/**
 * A device whose state changes with time (a timer, an RTC). The run loop calls
 * {@link #advanceTo} at instruction-slice boundaries, and while every vcpu halts it jumps the
 * virtual clock to the earliest {@link #nextDeadlineNanos()}.
 */
public interface TimedDevice {

    /** The clock reading at which this device next changes state by itself, or Long.MAX_VALUE. */
    long nextDeadlineNanos();

    /** Brings the device up to {@code nanos}, firing whatever fell due (IRQs, counters). */
    void advanceTo(long nanos);
}
