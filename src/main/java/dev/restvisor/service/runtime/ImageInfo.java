package dev.restvisor.service.runtime;

import java.time.Instant;

/** An uploaded image as the API lists it. */
public record ImageInfo(String id, String name, String sha256, long size, Instant createdAt) {
}
