package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** The body of {@code POST /vms/{id}/snapshots/{sid}/clone}. */
@Schema(description = "The new VM a snapshot is cloned into.")
public record CloneRequest(
        @Schema(description = "The new VM's name, 1-100 characters.", example = "copy") String name) {
}
