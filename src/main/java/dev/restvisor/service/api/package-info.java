/**
 * The REST surface: thin controllers named after the kvm.h ioctls they stand for, DTOs with kvm.h
 * field names (u64 quantities as hex strings, see {@link dev.restvisor.service.api.U64}), and the
 * mapping of every failure to an RFC 9457 problem response.
 *
 * <p>Path variables are documented by method-level {@code @Parameter(name = ..., in = PATH)}, not
 * on the method parameter: Spring MVC converts each path variable through a cache keyed by the
 * parameter's annotations, and a swagger {@code @Parameter} there (with its nested
 * {@code @Schema}) was compared reflectively, member by member, on every request; it made up about
 * 5% of a KVM_RUN round trip's server time.
 */
package dev.restvisor.service.api;
