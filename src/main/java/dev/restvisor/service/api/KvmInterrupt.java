package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** kvm_interrupt. */
@Schema(description = "kvm_interrupt: an external interrupt vector to queue.")
public record KvmInterrupt(@Schema(description = "Vector 0-255; queued in interrupt_bitmap and delivered when the guest can take it (IF=1, no interrupt shadow).", minimum = "0", maximum = "255", requiredMode = Schema.RequiredMode.REQUIRED) Integer irq) {
}
