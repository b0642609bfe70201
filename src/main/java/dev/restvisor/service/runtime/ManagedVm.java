package dev.restvisor.service.runtime;

import dev.restvisor.core.vm.Vm;
import java.time.Instant;

/** A live VM with its identity, definition and lifecycle state. */
public final class ManagedVm {

    /** The lifecycle state shown by {@code GET /vms/{id}}. */
    public enum State {
        CREATED, RUNNING, PAUSED, STOPPED, SHUTDOWN
    }

    private final String id;
    private final VmSpec spec;
    private final Vm vm;
    private final Instant createdAt;
    private volatile State state = State.CREATED;

    ManagedVm(String id, VmSpec spec, Vm vm, Instant createdAt) {
        this.id = id;
        this.spec = spec;
        this.vm = vm;
        this.createdAt = createdAt;
    }

    public String id() {
        return id;
    }

    public String name() {
        return spec.name();
    }

    public VmSpec spec() {
        return spec;
    }

    public Vm vm() {
        return vm;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public State state() {
        return state;
    }

    void state(State next) {
        state = next;
    }
}
