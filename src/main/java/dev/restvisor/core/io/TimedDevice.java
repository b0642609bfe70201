package dev.restvisor.core.io;

/**
 * A device with timers. The VM loop calls {@link #advanceTo} with the clock's time at
 * instruction-batch boundaries, and while every vcpu halts it moves virtual time straight to the
 * smallest {@link #nextDeadlineNanos()} of its devices and then advances them to it.
 */
public interface TimedDevice {

    /** Clock time of the next event that changes an IRQ line or device state; Long.MAX_VALUE when none. */
    long nextDeadlineNanos();

    /** Performs every event due at or before {@code nanos} (a time of the injected clock). */
    void advanceTo(long nanos);
}
