package dev.restvisor.service.api;

import dev.restvisor.core.cpu.state.CpuState;
import io.swagger.v3.oas.annotations.media.Schema;

/** kvm_regs: the general registers, RIP and RFLAGS. */
@Schema(description = "kvm_regs: general-purpose registers, RIP and RFLAGS, each a u64 hex string. "
        + "On PUT, omitted members keep their current value (an extension: KVM_SET_REGS takes the whole struct).")
public record KvmRegs(
        @Schema(description = "RAX (u64).") U64 rax,
        @Schema(description = "RBX (u64).") U64 rbx,
        @Schema(description = "RCX (u64).") U64 rcx,
        @Schema(description = "RDX (u64).") U64 rdx,
        @Schema(description = "RSI (u64).") U64 rsi,
        @Schema(description = "RDI (u64).") U64 rdi,
        @Schema(description = "RSP (u64).") U64 rsp,
        @Schema(description = "RBP (u64).") U64 rbp,
        @Schema(description = "R8 (u64).") U64 r8,
        @Schema(description = "R9 (u64).") U64 r9,
        @Schema(description = "R10 (u64).") U64 r10,
        @Schema(description = "R11 (u64).") U64 r11,
        @Schema(description = "R12 (u64).") U64 r12,
        @Schema(description = "R13 (u64).") U64 r13,
        @Schema(description = "R14 (u64).") U64 r14,
        @Schema(description = "R15 (u64).") U64 r15,
        @Schema(description = "RIP (u64).") U64 rip,
        @Schema(description = "RFLAGS (u64). Bit 1 always reads as 1; reserved bits are refused.") U64 rflags) {

    /** RFLAGS bits a guest can hold: CF..ID except the reserved 3, 5 and 15. */
    private static final long RFLAGS_WRITABLE = 0x3f7fd5L;

    static KvmRegs from(CpuState s) {
        long[] g = s.gpr;
        return new KvmRegs(U64.of(g[0]), U64.of(g[3]), U64.of(g[1]), U64.of(g[2]), U64.of(g[6]), U64.of(g[7]),
                U64.of(g[4]), U64.of(g[5]), U64.of(g[8]), U64.of(g[9]), U64.of(g[10]), U64.of(g[11]), U64.of(g[12]),
                U64.of(g[13]), U64.of(g[14]), U64.of(g[15]), U64.of(s.rip), U64.of(s.rflags));
    }

    /** Validates everything before changing anything. */
    void validate() {
        if (rflags != null && (rflags.value() & ~(RFLAGS_WRITABLE | 2L)) != 0) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "rflags",
                    "rflags sets reserved bits: " + U64.of(rflags.value() & ~(RFLAGS_WRITABLE | 2L)));
        }
    }

    void applyTo(CpuState s) {
        U64[] byNumber = {rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15};
        for (int i = 0; i < 16; i++) {
            s.gpr[i] = Fields.orElse(byNumber[i], s.gpr[i]);
        }
        s.rip = Fields.orElse(rip, s.rip);
        s.rflags = Fields.orElse(rflags, s.rflags) | 2L;
    }
}
