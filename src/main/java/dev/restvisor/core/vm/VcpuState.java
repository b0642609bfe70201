package dev.restvisor.core.vm;

import dev.restvisor.core.cpu.state.CpuState;

/**
 * One vcpu as a snapshot holds it: a private copy of its register file (kvm_regs, kvm_sregs,
 * MSRs, debug registers, queued interrupts, interrupt shadow, halt) and its KVM_SET_GUEST_DEBUG
 * setting.
 */
public record VcpuState(int id, CpuState registers, GuestDebug debug) {

    public VcpuState {
        CpuState copy = new CpuState();
        copy.copyFrom(registers);
        registers = copy;
    }

    /** A copy, so that restoring the same record twice gives the same machine. */
    @Override
    public CpuState registers() {
        CpuState copy = new CpuState();
        copy.copyFrom(registers);
        return copy;
    }
}
