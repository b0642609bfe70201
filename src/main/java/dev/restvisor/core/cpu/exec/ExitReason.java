package dev.restvisor.core.cpu.exec;

/** Why {@link Cpu#run} returned, named after the kvm.h KVM_EXIT_* reasons it becomes. */
public enum ExitReason {
    /** KVM_EXIT_IO: an IN/OUT/INS/OUTS to a port no built-in device claims. */
    IO,
    /** KVM_EXIT_MMIO: an access to a guest physical address no slot or MMIO device backs. */
    MMIO,
    /** KVM_EXIT_HLT: HLT with nothing to wake it. */
    HLT,
    /** KVM_EXIT_DEBUG: single-step or a KVM_DEBUG_GUEST breakpoint. */
    DEBUG,
    /** KVM_EXIT_SHUTDOWN: triple fault. */
    SHUTDOWN,
    /** KVM_EXIT_EXCEPTION: a guest exception whose vector the VM asked to have reported. */
    EXCEPTION,
    /** KVM_EXIT_CPUID: CPUID when the VM asked for CPUID exits. */
    CPUID,
    /** KVM_EXIT_IRQ_WINDOW_OPEN: the guest can take an interrupt and the client asked to know. */
    IRQ_WINDOW_OPEN,
    /** KVM_EXIT_INTR: instruction budget reached or stop requested. */
    INTR,
    /** KVM_EXIT_FAIL_ENTRY: the register state cannot be entered (SDM checks on guest state). */
    FAIL_ENTRY
}
