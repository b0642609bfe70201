/**
 * The buses between vcpus and devices: port I/O and MMIO dispatch (overlaps are rejected,
 * unclaimed accesses are reported to the caller), interrupt request lines, and the clock that
 * gives devices their notion of time. Devices with timers implement {@link
 * dev.restvisor.core.io.TimedDevice}: the VM loop polls them at instruction-batch boundaries and,
 * while all vcpus halt, jumps virtual time to their next deadline. {@link
 * dev.restvisor.core.io.TickRate} converts clock nanoseconds to a device oscillator's ticks.
 * Pure java.base.
 */
package dev.restvisor.core.io;
