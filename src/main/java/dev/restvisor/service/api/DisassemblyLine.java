package dev.restvisor.service.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** One line of a disassembly listing. */
@Schema(description = "One disassembled instruction.")
public record DisassemblyLine(
        @Schema(description = "Instruction pointer (CS offset, u64) of the instruction.") U64 address,
        @Schema(description = "Its bytes as lower-case hex, e.g. \"b041\"; empty when nothing could be fetched.") String bytes,
        @Schema(description = "Intel-syntax text in the style of objdump -M intel; \"(bad)\" for an undefined encoding, or why nothing could be fetched.") String text) {
}
