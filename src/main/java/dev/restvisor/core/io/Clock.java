package dev.restvisor.core.io;

/**
 * The time base every device and the TSC read. In the default virtual mode it is derived from
 * retired instructions, so a run is reproducible byte for byte; a real-time clock is an option.
 */
public interface Clock {

    /** Nanoseconds since the VM was created (or since the snapshot's epoch), monotonic. */
    long nanos();
}
