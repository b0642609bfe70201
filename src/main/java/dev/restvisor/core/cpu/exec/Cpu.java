package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.mmu.Translation;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.io.InterruptController;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;

/**
 * One vcpu's execution engine: the facade the VM layer drives. Not thread-safe except for
 * {@link #requestStop()}, which any thread may call.
 */
public final class Cpu {
    private final CpuState state;
    private final GuestMemory memory;
    private final IoBus io;
    private final CpuConfig config;

    public Cpu(CpuState state, GuestMemory memory, IoBus io, CpuConfig config) {
        this.state = state;
        this.memory = memory;
        this.io = io;
        this.config = config;
    }

    public CpuState state() {
        return state;
    }

    /**
     * Runs until an exit, at most {@code maxInstructions} instructions (then {@link ExitReason#INTR}).
     * Before returning, lazy flags are folded into {@code state.rflags}. A pending IN or MMIO read
     * must have been completed first ({@link #completeIo}, {@link #completeMmioRead}); if it was
     * not, the instruction is retried and exits the same way again.
     */
    public CpuExit run(long maxInstructions) {
        throw new UnsupportedOperationException("TODO core");
    }

    /** Makes a running {@link #run} return {@link ExitReason#INTR} at the next instruction boundary. */
    public void requestStop() {
        throw new UnsupportedOperationException("TODO core");
    }

    /** Supplies the {@code count * size} bytes of the pending IN/INS; the next run finishes that instruction. */
    public void completeIo(byte[] data) {
        throw new UnsupportedOperationException("TODO core");
    }

    /** Supplies the bytes of the pending MMIO read; the next run finishes that instruction. */
    public void completeMmioRead(byte[] data) {
        throw new UnsupportedOperationException("TODO core");
    }

    /**
     * kvm_run.emulated (API v3): the client emulated the instruction of the pending IN or MMIO read
     * itself; drop the pending completion and continue after that instruction.
     */
    public void skipPendingInstruction() {
        throw new UnsupportedOperationException("TODO core");
    }

    /** True while an IN or MMIO read exit waits for its data. */
    public boolean hasPendingCompletion() {
        throw new UnsupportedOperationException("TODO core");
    }

    /** KVM_DEBUG_GUEST: single-step and execution breakpoints (linear addresses); null or empty for none. */
    public void setDebug(boolean enabled, boolean singleStep, long[] breakpoints) {
        throw new UnsupportedOperationException("TODO core");
    }

    /** kvm_run.request_interrupt_window. */
    public void setRequestInterruptWindow(boolean request) {
        throw new UnsupportedOperationException("TODO core");
    }

    /** The INTR source: the PIC when the VM has one. */
    public void setInterruptController(InterruptController controller) {
        throw new UnsupportedOperationException("TODO core");
    }

    /** kvm_run.ready_for_interrupt_injection: IF = 1, no interrupt shadow, nothing queued. */
    public boolean readyForInterruptInjection() {
        throw new UnsupportedOperationException("TODO core");
    }

    public long instructionsRetired() {
        throw new UnsupportedOperationException("TODO core");
    }

    /** KVM_GET_MSR_INDEX_LIST: every MSR index RDMSR/WRMSR and the API accept, ascending. */
    public static int[] msrIndexList() {
        throw new UnsupportedOperationException("TODO core");
    }

    /** KVM_GET_MSRS for one index (host-initiated read); empty when the MSR is not implemented. */
    public java.util.OptionalLong readMsr(int index) {
        throw new UnsupportedOperationException("TODO core");
    }

    /** KVM_SET_MSRS for one index (host-initiated write); false when not implemented or the value is invalid. */
    public boolean writeMsr(int index, long value) {
        throw new UnsupportedOperationException("TODO core");
    }

    /** KVM_TRANSLATE under the current paging mode; touches no accessed/dirty bits. */
    public Translation translate(long linearAddress) {
        throw new UnsupportedOperationException("TODO core");
    }
}
