package dev.restvisor.core.io;

/**
 * One interrupt request line from a device to an interrupt controller. Level devices raise and
 * lower it; edge devices {@link #pulse()} it.
 */
public interface IrqLine {

    void set(boolean level);

    default void raise() {
        set(true);
    }

    default void lower() {
        set(false);
    }

    default void pulse() {
        set(true);
        set(false);
    }

    /** A line connected to nothing. */
    IrqLine NONE = level -> { };
}
