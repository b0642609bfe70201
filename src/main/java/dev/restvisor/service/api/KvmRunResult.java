package dev.restvisor.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.restvisor.core.vm.RunResult;
import dev.restvisor.core.vm.Vcpu;
import dev.restvisor.core.vm.VcpuExit;
import io.swagger.v3.oas.annotations.media.Schema;

/** The out-fields of KVM_RUN: the exit reason and only the member that belongs to it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "The out-fields of KVM_RUN. Only the member belonging to exit_reason is present.")
public record KvmRunResult(
        @Schema(description = "kvm_run exit type; always KVM_EXIT_TYPE_VM_EXIT.", allowableValues = "KVM_EXIT_TYPE_VM_EXIT") String exitType,
        @Schema(description = "kvm_run.exit_reason by its kvm.h name.", allowableValues = {"KVM_EXIT_UNKNOWN", "KVM_EXIT_EXCEPTION",
                "KVM_EXIT_IO", "KVM_EXIT_CPUID", "KVM_EXIT_DEBUG", "KVM_EXIT_HLT", "KVM_EXIT_MMIO", "KVM_EXIT_IRQ_WINDOW_OPEN",
                "KVM_EXIT_SHUTDOWN", "KVM_EXIT_FAIL_ENTRY", "KVM_EXIT_INTR"}) String exitReason,
        @Schema(description = "Length in bytes of the instruction that caused the exit (0 when none did; extension).") int instructionLength,
        @Schema(description = "kvm_run.ready_for_interrupt_injection: 1 when KVM_INTERRUPT would be delivered at once (IF=1, no interrupt shadow, nothing queued).") int readyForInterruptInjection,
        @Schema(description = "kvm_run.if_flag: RFLAGS.IF after the run.") int ifFlag,
        @Schema(description = "kvm_run.cr8 (u64).") U64 cr8,
        @Schema(description = "kvm_run.apic_base (u64).") U64 apicBase,
        @Schema(description = "Present for KVM_EXIT_IO.") Io io,
        @Schema(description = "Present for KVM_EXIT_MMIO.") Mmio mmio,
        @Schema(description = "Present for KVM_EXIT_EXCEPTION.") Ex ex,
        @Schema(description = "Present for KVM_EXIT_FAIL_ENTRY.") FailEntry failEntry,
        @Schema(description = "Present for KVM_EXIT_DEBUG.") Debug debug,
        @Schema(description = "Present for KVM_EXIT_CPUID: the leaf the guest asked for; answer it by setting rax, rbx, rcx and rdx before the next run (extension).") Cpuid cpuid) {

    /** kvm_run.io, with the data inline instead of at data_offset. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "kvm_run.io. The data is inline instead of at data_offset.")
    public record Io(
            @Schema(description = "KVM_EXIT_IO_IN or KVM_EXIT_IO_OUT.", allowableValues = {"KVM_EXIT_IO_IN", "KVM_EXIT_IO_OUT"}) String direction,
            @Schema(description = "Bytes per access: 1, 2 or 4.") int size,
            @Schema(description = "I/O port (u16).") int port,
            @Schema(description = "Number of accesses; above 1 only for string I/O (INS/OUTS).") int count,
            @Schema(description = "1 for INS/OUTS (extension).") int string,
            @Schema(description = "1 when a string instruction ran with DF=1, addresses decrementing (extension).") int stringDown,
            @Schema(description = "1 when the string instruction had a REP prefix (extension).") int rep,
            @Schema(description = "The OUT value of a non-string OUT (absent for IN and string I/O).") Long value,
            @Schema(description = "Guest linear address of the string I/O buffer (u64, extension; absent for non-string I/O).") U64 address,
            @Schema(description = "All count*size bytes of an OUT or OUTS, base64 (absent for IN).", format = "byte") byte[] data) {
    }

    /** kvm_run.mmio. */
    @Schema(description = "kvm_run.mmio. Besides data accesses, a page walk reads its paging-structure entries outside RAM this way "
            + "(len 8, or 4 for 32-bit paging, at the entry's address) and writes back an entry whose accessed or dirty flag it set "
            + "(is_write 1, the whole entry); answer each read with the entry. An exception or interrupt whose delivery reads "
            + "through such entries exits the same way. The instruction runs again after every answer: answered reads are "
            + "replayed to it, so its effects happen once and no entry is asked twice for the same walk (extension of kvm.h, where "
            + "page tables must be in RAM).")
    public record Mmio(
            @Schema(description = "Guest physical address (u64).") U64 physAddr,
            @Schema(description = "Access length in bytes: 1, 2, 4 or 8.") int len,
            @Schema(description = "1 for a write, 0 for a read (complete a read through the next run's mmio.data).") int isWrite,
            @Schema(description = "The written bytes (a read: zeros), base64.", format = "byte") byte[] data) {
    }

    /** kvm_run.ex. */
    @Schema(description = "kvm_run.ex: a guest exception the VM's definition asked to have reported (exception_exits), "
            + "including the one a fault during the delivery of another event results in (SDM Vol. 3A 6.15, Table 6-5: a double fault, "
            + "or the second fault delivered serially). RIP is on the faulting instruction (after it for a trap such as a #DB data "
            + "breakpoint); nothing has been pushed.")
    public record Ex(@Schema(description = "Exception vector (0-31).") int exception,
                     @Schema(description = "Error code pushed by the exception, or 0.") int errorCode) {
    }

    /** kvm_run.fail_entry. */
    @Schema(description = "kvm_run.fail_entry.")
    public record FailEntry(
            @Schema(description = "hardware_entry_failure_reason (u64): 0x80000021, VM-entry failure due to invalid guest state.") U64 hardwareEntryFailureReason,
            @Schema(description = "Which guest-state check failed, in words (extension).") String reason) {
    }

    /** kvm_run.debug.arch. */
    @Schema(description = "kvm_run.debug.arch.")
    public record Debug(@Schema(description = "1 for single-step / hardware breakpoint (#DB), 3 for software breakpoint (#BP).") int exception,
                        @Schema(description = "RIP where the vcpu stopped (u64).") U64 pc,
                        @Schema(description = "DR6 of the debug event (u64).") U64 dr6) {
    }

    /** The CPUID leaf of a KVM_EXIT_CPUID. */
    @Schema(description = "The CPUID leaf the guest executed.")
    public record Cpuid(@Schema(description = "EAX at CPUID (the leaf).") long function,
                        @Schema(description = "ECX at CPUID (the sub-leaf).") long index) {
    }

    static KvmRunResult from(RunResult r) {
        VcpuExit e = r.exit();
        String reason = Vcpu.kvmName(e);
        Io io = e instanceof VcpuExit.Io x ? new Io(x.in() ? "KVM_EXIT_IO_IN" : "KVM_EXIT_IO_OUT", x.size(), x.port(),
                x.count(), x.string() ? 1 : 0, x.stringDown() ? 1 : 0, x.rep() ? 1 : 0,
                x.in() || x.string() ? null : x.value(), x.string() ? U64.of(x.address()) : null,
                x.in() ? null : x.data()) : null;
        Mmio mmio = e instanceof VcpuExit.Mmio m ? new Mmio(U64.of(m.physAddr()), m.len(), m.isWrite() ? 1 : 0, m.data()) : null;
        Ex ex = e instanceof VcpuExit.Exception x ? new Ex(x.exception(), x.errorCode()) : null;
        FailEntry fail = e instanceof VcpuExit.FailEntry f ? new FailEntry(U64.of(f.hardwareEntryFailureReason()), f.reason()) : null;
        Debug debug = e instanceof VcpuExit.Debug d ? new Debug(d.exception(), U64.of(d.pc()), U64.of(d.dr6())) : null;
        Cpuid cpuid = e instanceof VcpuExit.Cpuid c ? new Cpuid(c.function() & 0xffffffffL, c.index() & 0xffffffffL) : null;
        return new KvmRunResult("KVM_EXIT_TYPE_VM_EXIT", reason, r.instructionLength(), r.readyForInterruptInjection() ? 1 : 0,
                r.ifFlag() ? 1 : 0, U64.of(r.cr8()), U64.of(r.apicBase()), io, mmio, ex, fail, debug, cpuid);
    }
}
