package dev.restvisor.core.vm;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A part of a VM besides its vcpus and memory whose state a snapshot keeps (a device, the FPU of
 * the core when it keeps one outside the register file). Whoever builds the VM registers it with
 * {@link Vm#addStatefulPart}; capture and restore run while every vcpu is held.
 *
 * @param name stable across versions, unique within the VM ("uart16550:com1", "pic8259")
 * @param type the state record: what {@code capture} returns and {@code restore} takes
 */
public record StatefulPart<S extends Record>(String name, Class<S> type, Supplier<S> capture, Consumer<S> restore) {

    /** Restores from a record read back from a snapshot; its type was checked against {@link #type}. */
    void restoreUnchecked(Record state) {
        restore.accept(type.cast(state));
    }
}
