/**
 * The REST surface: thin controllers named after the kvm.h ioctls they stand for, DTOs with kvm.h
 * field names (u64 quantities as hex strings, see {@link dev.restvisor.service.api.U64}), and the
 * mapping of every failure to an RFC 9457 problem response.
 */
package dev.restvisor.service.api;
