package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** The body of {@code POST /vms/{id}/snapshots}. */
@Schema(description = "A snapshot to take.")
public record SnapshotRequest(
        @Schema(description = "A name, 1-100 characters.", example = "before-login", requiredMode = Schema.RequiredMode.REQUIRED) String name,
        @Schema(description = "For a diff snapshot: the id of the snapshot this VM last took or was restored from. Omitted: a full snapshot.") String parent) {
}
