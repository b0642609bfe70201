package dev.restvisor.service.api;

import dev.restvisor.core.vm.Vcpu;
import io.swagger.v3.oas.annotations.media.Schema;

/** A vcpu as {@code KVM_CREATE_VCPU} and {@code GET} show it. */
@Schema(description = "A vcpu.")
public record VcpuView(
        @Schema(description = "vcpu id (0-63).") int id,
        @Schema(description = "State machine position.", allowableValues = {"created", "runnable", "running", "paused", "shutdown"}) String status,
        @Schema(description = "Guest instructions this vcpu retired (u64).") U64 instructionsRetired) {

    static VcpuView from(Vcpu v) {
        return new VcpuView(v.id(), v.status().name().toLowerCase(), U64.of(v.instructionsRetired()));
    }
}
