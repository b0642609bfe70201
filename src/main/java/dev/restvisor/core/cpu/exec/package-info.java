/**
 * The execution engine of a vcpu: the {@link dev.restvisor.core.cpu.exec.Cpu} facade and its run loop
 * (interrupt injection, exits, debug), the {@link dev.restvisor.core.cpu.exec.Interpreter} with the
 * memory access path and lazy flags, and the executors grouped by instruction family. Guest faults are
 * {@link dev.restvisor.core.cpu.exec.GuestFault}s caught at the instruction boundary; nothing a guest does
 * escapes as a Java exception. Hot runs of fast forms run as blocks compiled by {@code core.cpu.jit}, which the
 * run loop enters and accounts for as if it had stepped through them.
 */
package dev.restvisor.core.cpu.exec;
