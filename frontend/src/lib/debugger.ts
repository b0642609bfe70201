// Pure debugger decisions: breakpoint sets, step-over targets, disassembly windows.
import { addU64, parseU64, toHex } from "./u64";

export interface DisasmLine {
  address: string;
  bytes: string; // hex, as the endpoint gives it
  text: string;
}

/** Toggles an address in a breakpoint list (kept sorted, no duplicates). kvm.h promises 4; the service takes 16. */
export function toggleBreakpoint(list: readonly bigint[], address: bigint, max = 16): bigint[] {
  if (list.includes(address)) return list.filter((a) => a !== address);
  if (list.length >= max) throw new RangeError(`at most ${max} breakpoints`);
  return [...list, address].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The PUT debug body for a breakpoint list and single-step flag. */
export function debugBody(breakpoints: readonly bigint[], singlestep: boolean) {
  return {
    enabled: breakpoints.length > 0 || singlestep ? 1 : 0,
    singlestep: singlestep ? 1 : 0,
    breakpoints: breakpoints.map((a) => ({ enabled: 1, address: toHex(a) })),
  };
}

/** Number of bytes of an instruction from the endpoint's "bytes" field ("e8 00 10" or "e80010"). */
export function instructionLength(bytes: string): number {
  return bytes.replace(/[^0-9a-f]/gi, "").length / 2;
}

/**
 * Step-over: for a call (and rep-prefixed string ops, loop) the target is the next
 * instruction, reached by a temporary breakpoint; everything else is a single step.
 */
export function stepOverTarget(line: DisasmLine | undefined): bigint | null {
  if (!line) return null;
  const mnemonic = line.text.trim().toLowerCase();
  if (/^(call|rep|repe|repz|repne|repnz|loop|loope|loopne|loopz|loopnz|int)\b/.test(mnemonic)) {
    return addU64(parseU64(line.address), BigInt(instructionLength(line.bytes)));
  }
  return null;
}

/** Fallback listing when no disassembler is available: one row per byte, so every address can hold a breakpoint. */
export function byteRows(base: bigint, bytes: Uint8Array): DisasmLine[] {
  return Array.from(bytes, (b, i) => ({
    address: toHex(base + BigInt(i)),
    bytes: b.toString(16).padStart(2, "0"),
    text: `db 0x${b.toString(16).padStart(2, "0")}`,
  }));
}

/** Where to start a disassembly window so that `rip` is not at the very top. */
export function windowStart(rip: bigint, lookBehind = 16n): bigint {
  return rip > lookBehind ? rip - lookBehind : 0n;
}
