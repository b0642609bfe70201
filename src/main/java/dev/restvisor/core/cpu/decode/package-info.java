/**
 * The x86 instruction decoder and the Intel-syntax disassembler. Opcode maps (1-byte, 0F, 0F38, 0F3A)
 * are data written in the operand notation of SDM Vol. 2D Appendix A; the decoder turns bytes into a
 * reusable {@link dev.restvisor.core.cpu.decode.DecodedInstruction} with exact length, prefixes,
 * ModRM/SIB and immediates, and raises #UD/#GP for encodings that are undefined or invalid in the
 * current mode or longer than 15 bytes. The x87 escapes D8-DF decode as one entry with their ModRM;
 * {@link dev.restvisor.core.cpu.decode.X87Table} names each form for the executor and the disassembler.
 */
package dev.restvisor.core.cpu.decode;
