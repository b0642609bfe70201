/**
 * Floating-point and SIMD arithmetic: IEEE 754 single and double precision under MXCSR control (rounding,
 * DAZ/FTZ, exception flags) and the lane operations of SSE/SSE2 on 128-bit values. Pure functions over
 * {@link dev.restvisor.core.cpu.state.FpuState} and raw bit patterns; the executors in core.cpu.exec fetch
 * operands and write results.
 */
package dev.restvisor.core.cpu.fpu;
