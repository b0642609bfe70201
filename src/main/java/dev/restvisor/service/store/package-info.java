/**
 * The persistent catalog on H2 (or PostgreSQL by configuration): uploaded images, VM definitions
 * and snapshots, with the schema owned by Flyway. A snapshot is a versioned, checksummed state
 * section (vcpus, clock, device state records, memory layout) plus LZ4-compressed chunks of
 * guest pages; all-zero pages are left out and a diff snapshot holds only the pages written since
 * its parent. Every write is one transaction, so a crash leaves the earlier catalog intact.
 * Depends on core state records and guest memory, never on the engines or on the service layers.
 */
package dev.restvisor.service.store;
