/**
 * Floating-point and SIMD arithmetic. The x87: {@link dev.restvisor.core.cpu.fpu.X87Math}, exact arithmetic on
 * the 80-bit extended format under the precision and rounding controls with all six exceptions and their masked
 * and unmasked responses; {@link dev.restvisor.core.cpu.fpu.X87Transcendental}, the transcendental instructions
 * and constants (within one unit in the last place, see there); {@link dev.restvisor.core.cpu.fpu.X87Unit}, the
 * register stack, tag word, condition codes and stack faults over
 * {@link dev.restvisor.core.cpu.state.FpuState}. SSE: IEEE 754 single and double precision under MXCSR control
 * (rounding, DAZ/FTZ, exception flags) and the lane operations of SSE/SSE2 on 128-bit values
 * ({@link dev.restvisor.core.cpu.fpu.SseMath}). The executors in core.cpu.exec fetch operands and write results.
 */
package dev.restvisor.core.cpu.fpu;
