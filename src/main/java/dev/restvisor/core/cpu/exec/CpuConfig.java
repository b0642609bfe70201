package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.io.Clock;

/**
 * Per-VM choices that shape how a vcpu runs.
 *
 * @param clock the time base of RDTSC
 * @param cpuidExits report CPUID as an exit instead of answering from the built-in model
 * @param exceptionExitVectors bit n set: guest exception vector n is reported as KVM_EXIT_EXCEPTION
 *                             instead of being delivered through the IDT/IVT
 */
public record CpuConfig(Clock clock, boolean cpuidExits, int exceptionExitVectors) {
}
