package dev.restvisor.service.api;

import dev.restvisor.service.runtime.SnapshotInfo;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** A snapshot of a VM. */
@Schema(description = "A snapshot: every vcpu's state, the device state records, the clock and guest memory (compressed, all-zero pages left out; a diff snapshot holds only the pages written since its parent).")
public record SnapshotView(
        @Schema(description = "The snapshot's id (a UUID).") String id,
        @Schema(description = "The name given when it was taken.") String name,
        @Schema(description = "The VM it was taken of.") String vmId,
        @Schema(description = "The snapshot this one is a diff on, or null for a full snapshot.") String parent,
        @Schema(description = "When it was taken (RFC 3339).") Instant createdAt,
        @Schema(description = "Bytes it takes in the catalog, compressed (u64).") U64 size) {

    static SnapshotView from(SnapshotInfo s) {
        return new SnapshotView(s.id(), s.name(), s.vmId(), s.parent(), s.createdAt(), U64.of(s.size()));
    }
}
