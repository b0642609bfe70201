package dev.restvisor.service.runtime;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configurable limits ({@code restvisor.limits.*}).
 *
 * @param vmMemoryBytes guest RAM one VM may allocate
 * @param totalMemoryBytes guest RAM all VMs together may allocate
 * @param maxVms VMs that may exist at once
 * @param defaultRunTimeoutMs wall-clock budget of a KVM_RUN that names none
 * @param maxRunTimeoutMs the cap on a requested timeout
 * @param defaultRunInstructions instruction budget of a KVM_RUN that names none
 * @param maxRunInstructions the cap on a requested instruction budget
 * @param maxMemoryTransferBytes bytes one guest-memory read or write may move
 */
@ConfigurationProperties("restvisor.limits")
public record RuntimeLimits(long vmMemoryBytes, long totalMemoryBytes, int maxVms, long defaultRunTimeoutMs,
                            long maxRunTimeoutMs, long defaultRunInstructions, long maxRunInstructions,
                            int maxMemoryTransferBytes) {
}
