package dev.restvisor.core.vm;

/**
 * The in-fields of one KVM_RUN.
 *
 * @param ioData completes a pending IN: exactly count*size bytes (null: nothing supplied)
 * @param mmioData completes a pending MMIO read: exactly len bytes (null: nothing supplied)
 * @param emulated v3 kvm_run.emulated: the client emulated the pending instruction itself; skip it
 * @param immediateExit complete pending I/O, execute nothing, return KVM_EXIT_INTR
 * @param maxInstructions instruction budget of this run
 * @param timeoutNanos wall-clock budget of this run
 */
public record RunRequest(boolean requestInterruptWindow, byte[] ioData, byte[] mmioData, boolean emulated,
                         boolean immediateExit, long maxInstructions, long timeoutNanos) {
}
