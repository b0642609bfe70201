package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** The in-fields of KVM_RUN. Every member is optional; an empty body runs with the defaults. */
@Schema(description = "The in-fields of KVM_RUN. Every member is optional; an empty body runs with the service's defaults.")
public record KvmRunRequest(
        @Schema(description = "kvm_run.request_interrupt_window: 1 to get KVM_EXIT_IRQ_WINDOW_OPEN as soon as the guest can take an interrupt.", minimum = "0", maximum = "1") Integer requestInterruptWindow,
        @Schema(description = "Completes a pending IN (KVM_EXIT_IO_IN) before running, as the next KVM_RUN does in kvm.h.") IoCompletion io,
        @Schema(description = "Completes a pending MMIO read (KVM_EXIT_MMIO with is_write 0) before running.") MmioCompletion mmio,
        @Schema(description = "kvm_run.emulated (API v3): 1 when the client emulated the pending instruction itself; it is skipped.", minimum = "0", maximum = "1") Integer emulated,
        @Schema(description = "kvm_run.mmio_completed (API v3): 1 together with mmio.data completes the pending MMIO read; 1 without data is refused.", minimum = "0", maximum = "1") Integer mmioCompleted,
        @Schema(description = "kvm_run.immediate_exit: 1 to complete pending I/O, execute nothing and return KVM_EXIT_INTR.", minimum = "0", maximum = "1") Integer immediateExit,
        @Schema(description = "Wall-clock budget in milliseconds (extension); defaults and caps are service settings. Reaching it returns KVM_EXIT_INTR.", minimum = "1") Long timeoutMs,
        @Schema(description = "Instruction budget (u64, extension); defaults and caps are service settings. Reaching it returns KVM_EXIT_INTR.") U64 maxInstructions) {

    /** Data for a pending IN: {@code value} for a single IN, {@code data} for any (string IN needs it). */
    @Schema(description = "Data for a pending IN: `value` for a non-string IN, or `data` with all count*size bytes.")
    public record IoCompletion(
            @Schema(description = "The value read by a non-string IN (u32).", minimum = "0", maximum = "4294967295") Long value,
            @Schema(description = "All count*size bytes of the IN, base64.", format = "byte") byte[] data) {
    }

    /** Data for a pending MMIO read. */
    @Schema(description = "Data for a pending MMIO read.")
    public record MmioCompletion(
            @Schema(description = "Exactly `len` bytes, base64.", format = "byte", requiredMode = Schema.RequiredMode.REQUIRED) byte[] data) {
    }
}
