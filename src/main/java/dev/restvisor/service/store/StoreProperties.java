package dev.restvisor.service.store;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Catalog limits ({@code restvisor.store.*}).
 *
 * @param maxImageBytes largest image one upload may hold
 * @param maxSnapshotBytes stored bytes (compressed) all snapshots together may take
 */
@ConfigurationProperties("restvisor.store")
public record StoreProperties(long maxImageBytes, long maxSnapshotBytes) {
}
