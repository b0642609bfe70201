/**
 * A virtual machine as KVM models it: guest memory slots, the I/O buses, the clock and the vcpus,
 * each vcpu a small state machine around one {@code Cpu}. KVM_RUN lives here: completing a
 * pending IN or MMIO read, bounding a run by instructions and time, and turning the core's exit
 * into a {@link dev.restvisor.core.vm.VcpuExit} value.
 */
package dev.restvisor.core.vm;
