/**
 * The architectural state of one vcpu, shaped like kvm_regs and kvm_sregs: general registers,
 * RIP and RFLAGS, segment registers with their hidden parts, descriptor-table registers, control
 * registers, EFER, debug registers and MSRs. Pure data; the executors give it meaning.
 */
package dev.restvisor.core.cpu.state;
