package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** The body of {@code POST /vms/{id}/actions}. */
@Schema(description = "A lifecycle action. start: load the boot source (if any) and let the service run every vcpu on its own thread; "
        + "pause / resume; reset: power-on state for vcpus and devices, boot source loaded again; stop: end the vcpu threads.")
public record VmAction(
        @Schema(description = "The action.", allowableValues = {"start", "pause", "resume", "reset", "stop"}, requiredMode = Schema.RequiredMode.REQUIRED) String action) {
}
