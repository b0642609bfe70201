/**
 * The buses between vcpus and devices: port I/O and MMIO dispatch (overlaps are rejected,
 * unclaimed accesses are reported to the caller), interrupt request lines, and the clock that
 * gives devices their notion of time. Pure java.base.
 */
package dev.restvisor.core.io;
