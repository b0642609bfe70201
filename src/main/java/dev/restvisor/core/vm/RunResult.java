package dev.restvisor.core.vm;

/** The out-fields of one KVM_RUN. */
public record RunResult(VcpuExit exit, int instructionLength, boolean readyForInterruptInjection, boolean ifFlag,
                        long cr8, long apicBase) {
}
