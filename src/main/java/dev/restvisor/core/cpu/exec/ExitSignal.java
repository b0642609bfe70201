package dev.restvisor.core.cpu.exec;

/**
 * Thrown inside an instruction that must leave the run loop before it completes: an IN or MMIO read
 * whose data the VM client supplies. The exit fields are already filled; RIP still points at the
 * instruction, which runs again with the supplied data. One shared stackless instance.
 */
final class ExitSignal extends RuntimeException {
    static final ExitSignal INSTANCE = new ExitSignal();

    private ExitSignal() {
        super(null, null, false, false);
    }
}
