package dev.restvisor.service.runtime;

import java.time.Instant;

/** A snapshot as the API lists it; {@code size} counts stored (compressed) bytes. */
public record SnapshotInfo(String id, String name, String vmId, String parent, Instant createdAt, long size) {
}
