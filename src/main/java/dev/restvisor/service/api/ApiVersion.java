package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** KVM_GET_API_VERSION. */
@Schema(description = "KVM_GET_API_VERSION.")
public record ApiVersion(@Schema(description = "The KVM API version this service implements: always 3 (KVM_API_VERSION).") int apiVersion) {
}
