package dev.restvisor.core.io;

/**
 * What a vcpu's INTR pin sees: the 8259 pair (or anything in its place). The vcpu asks
 * {@link #hasInterrupt()} at instruction boundaries when RFLAGS.IF allows delivery and then
 * {@link #acknowledge()}s, which is the INTA cycle that returns the vector.
 */
public interface InterruptController {

    boolean hasInterrupt();

    /** The INTA cycle: returns the vector to deliver and moves the request into service. */
    int acknowledge();

    /** No controller attached. */
    InterruptController NONE = new InterruptController() {
        @Override public boolean hasInterrupt() { return false; }
        @Override public int acknowledge() { return -1; }
    };
}
