package dev.restvisor.core.cpu.decode;

import static dev.restvisor.core.cpu.decode.DecodedInstruction.AH;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_CREG;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_DREG;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_FAR;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_IMM;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_MEM;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_ONE;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_REG;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_REL;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_SREG;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_STR_DST;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_STR_SRC;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_XMM;

/**
 * Turns instruction bytes into a {@link DecodedInstruction} (SDM Vol. 2A chapter 2): legacy prefixes,
 * REX, the opcode maps, ModRM/SIB/displacement with 16-, 32- and 64-bit addressing (RIP-relative in
 * 64-bit mode), and immediates. Stateless; safe to share.
 */
public final class Decoder {
    /** Decoding succeeded. */
    public static final int OK = 0;
    /** #UD: undefined, or invalid in this mode, or LOCK where it is not allowed. */
    public static final int UD = 6;
    /** #GP(0): longer than 15 bytes (SDM Vol. 2A 2.3.11). */
    public static final int GP = 13;

    /** Where instruction bytes come from; an implementation may throw a guest fault (e.g. #PF). */
    @FunctionalInterface
    public interface ByteSource {
        /** The byte at {@code offset} (an instruction-pointer value, wrapping is the source's business). */
        int fetch(long offset);
    }

    private static final OpcodeEntry XCHG_R8 = new OpcodeEntry(Op.XCHG, "Zv,rAX", 0);
    private static final OpcodeEntry PAUSE = new OpcodeEntry(Op.PAUSE, "", 0);
    private static final OpcodeEntry CMPXCHG16B = new OpcodeEntry(Op.CMPXCHG16B, "Mdq", OpcodeEntry.LOCK);

    private Decoder() {
    }

    /**
     * Decodes the instruction at {@code ip} for code size {@code mode} (16, 32 or 64).
     *
     * @return {@link #OK}, {@link #UD} or {@link #GP}; on a fault {@code d.length} is the bytes consumed so far
     */
    public static int decode(ByteSource src, long ip, int mode, DecodedInstruction d) {
        d.reset();
        d.mode = mode;
        boolean m64 = mode == 64;
        int rexByte = 0;
        boolean rexSeen = false;
        int b;
        prefixes:
        while (true) {
            if (d.length >= 15) {
                return GP;
            }
            b = fetch(src, ip, d);
            switch (b) {
                case 0x26, 0x2e, 0x36, 0x3e -> {
                    if (!m64) {
                        d.segmentOverride = (b >>> 3) & 3;
                    }
                }
                case 0x64, 0x65 -> d.segmentOverride = b - 0x60;
                case 0x66 -> d.operandSizePrefix = true;
                case 0x67 -> d.addressSizePrefix = true;
                case 0xf0 -> d.lock = true;
                case 0xf2 -> d.rep = DecodedInstruction.REP_F2;
                case 0xf3 -> d.rep = DecodedInstruction.REP_F3;
                default -> {
                    if (m64 && (b & 0xf0) == 0x40) {
                        rexByte = b;
                        rexSeen = true;
                        continue;
                    }
                    break prefixes;
                }
            }
            // a REX prefix counts only directly before the opcode (SDM 2.2.1)
            rexSeen = false;
            rexByte = 0;
        }
        d.rexPresent = rexSeen;
        d.rex = rexByte & 0xf;

        OpcodeEntry[] map = OpcodeTables.ONE_BYTE;
        int mapNo = DecodedInstruction.MAP_1BYTE;
        if (b == 0x0f) {
            b = fetchChecked(src, ip, d);
            if (b < 0) {
                return GP;
            }
            if (b == 0x38 || b == 0x3a) {
                map = b == 0x38 ? OpcodeTables.MAP_0F38 : OpcodeTables.MAP_0F3A;
                mapNo = b == 0x38 ? DecodedInstruction.MAP_0F38 : DecodedInstruction.MAP_0F3A;
                b = fetchChecked(src, ip, d);
                if (b < 0) {
                    return GP;
                }
            } else {
                map = OpcodeTables.MAP_0F;
                mapNo = DecodedInstruction.MAP_0F;
            }
        }
        d.opcode = mapNo << 8 | b;
        OpcodeEntry e = map[b];
        if (mapNo == DecodedInstruction.MAP_1BYTE && b == 0x90) {
            if ((d.rex & 1) != 0) {
                e = XCHG_R8;
            } else if (d.rep == DecodedInstruction.REP_F3) {
                e = PAUSE;
                d.rep = DecodedInstruction.REP_NONE;
            }
        }
        if (e == null) {
            return UD;
        }
        if (m64 && e.in64 != null) {
            e = e.in64;
        }
        boolean mandatory66 = false;
        if (e.byPrefix != null) {
            int sel = d.rep == DecodedInstruction.REP_F3 ? 2 : d.rep == DecodedInstruction.REP_F2 ? 3
                    : d.operandSizePrefix ? 1 : 0;
            e = e.byPrefix[sel];
            if (e == null) {
                return UD;
            }
            if (sel >= 2) {
                d.rep = DecodedInstruction.REP_NONE;
            }
            mandatory66 = sel == 1;
        }
        if (e.has(OpcodeEntry.MODRM)) {
            int modrm = fetchChecked(src, ip, d);
            if (modrm < 0) {
                return GP;
            }
            d.hasModrm = true;
            d.mod = modrm >>> 6;
            d.modrmReg = (modrm >>> 3) & 7 | (d.rex & 4) << 1;
            d.modrmRm = modrm & 7 | (d.rex & 1) << 3;
            while (e != null && e.isSelector()) {
                if (e.byReg != null) {
                    OpcodeEntry[] cells = d.mod == 3 && e.byRegMod3 != null ? e.byRegMod3 : e.byReg;
                    e = cells[d.modrmReg & 7];
                } else if (e.byRm != null) {
                    e = d.mod == 3 ? e.byRm[d.modrmRm & 7] : null;
                } else {
                    e = null;
                }
            }
            if (e == null) {
                return UD;
            }
        }
        if (m64 ? e.has(OpcodeEntry.I64) : e.has(OpcodeEntry.O64)) {
            return UD;
        }
        if (e.op == Op.CMPXCHG8B && d.rexW()) {
            e = CMPXCHG16B;
        }
        if (mandatory66 && e.op.family == Family.SSE) {
            // 66 selected the instruction (SDM Vol. 2A 2.1.2 mandatory prefix); it does not size operands
            d.operandSizePrefix = false;
        }
        d.op = e.op;
        if (e.op == Op.JCC || e.op == Op.SETCC || e.op == Op.CMOVCC) {
            d.condition = b & 0xf;
        }

        if (m64) {
            if (d.rexW() || e.has(OpcodeEntry.F64)) {
                d.opSize = 8;
            } else if (e.has(OpcodeEntry.D64)) {
                d.opSize = d.operandSizePrefix ? 2 : 8;
            } else {
                d.opSize = d.operandSizePrefix ? 2 : 4;
            }
            d.addrSize = d.addressSizePrefix ? 4 : 8;
        } else {
            d.opSize = (mode == 16) != d.operandSizePrefix ? 2 : 4;
            d.addrSize = (mode == 16) != d.addressSizePrefix ? 2 : 4;
        }

        boolean regOnly = e.has(OpcodeEntry.REG_ONLY);
        if (d.hasModrm && d.mod != 3 && !regOnly) {
            if (!decodeMemory(src, ip, d)) {
                return GP;
            }
        } else if (e.has(OpcodeEntry.MEM_ONLY)) {
            return UD;
        }

        int immCount = 0;
        int[] specs = e.operands;
        d.operandCount = specs.length;
        for (int i = 0; i < specs.length; i++) {
            int spec = specs[i];
            int size = sizeOf(OperandSpec.type(spec), d);
            d.size[i] = size;
            switch (OperandSpec.method(spec)) {
                case OperandSpec.E -> {
                    if (d.mod == 3) {
                        d.kind[i] = K_REG;
                        d.reg[i] = byteReg(d.modrmRm, size, d);
                    } else {
                        d.kind[i] = K_MEM;
                    }
                }
                case OperandSpec.M -> d.kind[i] = K_MEM;
                case OperandSpec.G -> {
                    d.kind[i] = K_REG;
                    d.reg[i] = byteReg(d.modrmReg, size, d);
                }
                case OperandSpec.R -> {
                    d.kind[i] = K_REG;
                    d.reg[i] = d.modrmRm;
                }
                case OperandSpec.Z -> {
                    d.kind[i] = K_REG;
                    d.reg[i] = byteReg(b & 7 | (d.rex & 1) << 3, size, d);
                }
                case OperandSpec.FIXED_REG -> {
                    d.kind[i] = K_REG;
                    d.reg[i] = OperandSpec.register(spec);
                }
                case OperandSpec.S -> {
                    int s = d.modrmReg & 7;
                    // MOV CS,r/m is #UD, as are the reserved encodings 6 and 7 (SDM MOV)
                    if (s > 5 || (i == 0 && s == 1)) {
                        return UD;
                    }
                    d.kind[i] = K_SREG;
                    d.reg[i] = s;
                }
                case OperandSpec.FIXED_SEG -> {
                    d.kind[i] = K_SREG;
                    d.reg[i] = OperandSpec.register(spec);
                }
                case OperandSpec.C -> {
                    int cr = d.modrmReg;
                    if (cr == 1 || (cr > 4 && cr != 8)) {
                        return UD;
                    }
                    d.kind[i] = K_CREG;
                    d.reg[i] = cr;
                }
                case OperandSpec.D -> {
                    if (d.modrmReg > 7) {
                        return UD;
                    }
                    d.kind[i] = K_DREG;
                    d.reg[i] = d.modrmReg;
                }
                case OperandSpec.I -> {
                    int n = OperandSpec.type(spec) == OperandSpec.V_ ? d.opSize : size;
                    long v = fetchImmediate(src, ip, d, n);
                    if (d.length > 15) {
                        return GP;
                    }
                    d.kind[i] = K_IMM;
                    d.reg[i] = immCount;
                    if (immCount++ == 0) {
                        d.imm = v;
                    } else {
                        d.imm2 = v;
                    }
                }
                case OperandSpec.J -> {
                    long v = fetchImmediate(src, ip, d, size == 1 ? 1 : d.opSize == 2 ? 2 : 4);
                    if (d.length > 15) {
                        return GP;
                    }
                    d.kind[i] = K_REL;
                    d.imm = v;
                }
                case OperandSpec.O -> {
                    long v = fetchImmediate(src, ip, d, d.addrSize);
                    if (d.length > 15) {
                        return GP;
                    }
                    d.kind[i] = K_MEM;
                    d.hasMemory = true;
                    d.displacement = d.addrSize == 8 ? v : v & (d.addrSize == 4 ? 0xffffffffL : 0xffff);
                    d.memorySegment = d.segmentOverride >= 0 ? d.segmentOverride : 3;
                }
                case OperandSpec.A -> {
                    long off = fetchImmediate(src, ip, d, d.opSize);
                    long sel = fetchImmediate(src, ip, d, 2);
                    if (d.length > 15) {
                        return GP;
                    }
                    d.kind[i] = K_FAR;
                    d.imm = d.opSize == 2 ? off & 0xffff : off & 0xffffffffL;
                    d.imm2 = sel & 0xffff;
                }
                case OperandSpec.V -> {
                    d.kind[i] = K_XMM;
                    d.reg[i] = d.modrmReg;
                }
                case OperandSpec.W -> {
                    if (d.mod == 3) {
                        d.kind[i] = K_XMM;
                        d.reg[i] = d.modrmRm;
                    } else {
                        d.kind[i] = K_MEM;
                    }
                }
                case OperandSpec.U -> {
                    if (d.mod != 3) {
                        return UD;
                    }
                    d.kind[i] = K_XMM;
                    d.reg[i] = d.modrmRm;
                }
                case OperandSpec.X -> d.kind[i] = K_STR_SRC;
                case OperandSpec.Y -> d.kind[i] = K_STR_DST;
                case OperandSpec.ONE -> d.kind[i] = K_ONE;
                default -> throw new IllegalStateException("operand method " + OperandSpec.method(spec));
            }
        }
        if (e.op == Op.MOV && d.hasModrm && (d.kind[0] == K_SREG || d.kind[1] == K_SREG)) {
            // MOV to/from a segment register moves 16 bits through memory; a register operand takes the operand size
            int gi = d.kind[0] == K_SREG ? 1 : 0;
            d.size[gi] = d.kind[gi] == K_MEM ? 2 : d.opSize;
        }
        if (e.op == Op.MOVSXD) {
            // MOVSXD r16, r/m16 exists; otherwise the source is 32 bits
            d.size[1] = Math.min(d.opSize, 4);
        }
        if ((e.op == Op.SLDT || e.op == Op.STR || e.op == Op.LAR || e.op == Op.LSL) && d.mod == 3) {
            // a register destination/source of these selector instructions takes the operand size (SDM SLDT, LAR)
            d.size[d.operandCount - 1] = d.opSize;
        }
        if (d.lock && (!e.has(OpcodeEntry.LOCK) || !d.hasMemory)) {
            return UD;
        }
        return d.length > 15 ? GP : OK;
    }

    private static int byteReg(int r, int size, DecodedInstruction d) {
        return size == 1 && !d.rexPresent && r >= 4 && r < 8 ? AH + r - 4 : r;
    }

    private static int sizeOf(int type, DecodedInstruction d) {
        int os = d.opSize;
        return switch (type) {
            case OperandSpec.B -> 1;
            case OperandSpec.W_ -> 2;
            case OperandSpec.D_ -> 4;
            case OperandSpec.Q -> 8;
            case OperandSpec.V_ -> os;
            case OperandSpec.Z_ -> os == 2 ? 2 : 4;
            // MOV to/from CR/DR is always 64-bit in 64-bit mode (SDM MOV-Move to/from Control Registers)
            case OperandSpec.Y_ -> d.op == Op.MOVCR || d.op == Op.MOVDR ? (d.mode == 64 ? 8 : 4) : os == 8 ? 8 : 4;
            case OperandSpec.P -> os + 2;
            case OperandSpec.S_ -> d.mode == 64 ? 10 : 6;
            case OperandSpec.A_ -> os * 2;
            case OperandSpec.DQ, OperandSpec.PS, OperandSpec.PD, OperandSpec.X_ -> 16;
            case OperandSpec.SS -> 4;
            case OperandSpec.SD -> 8;
            default -> 0;
        };
    }

    private static boolean decodeMemory(ByteSource src, long ip, DecodedInstruction d) {
        d.hasMemory = true;
        int rm = d.modrmRm & 7;
        int defaultSeg = 3;
        if (d.addrSize == 2) {
            switch (rm) {
                case 0 -> { d.base = 3; d.index = 6; }
                case 1 -> { d.base = 3; d.index = 7; }
                case 2 -> { d.base = 5; d.index = 6; defaultSeg = 2; }
                case 3 -> { d.base = 5; d.index = 7; defaultSeg = 2; }
                case 4 -> d.base = 6;
                case 5 -> d.base = 7;
                case 6 -> {
                    if (d.mod != 0) {
                        d.base = 5;
                        defaultSeg = 2;
                    }
                }
                default -> d.base = 3;
            }
            if (d.mod == 1) {
                d.displacement = fetchImmediate(src, ip, d, 1);
            } else if (d.mod == 2 || (d.mod == 0 && rm == 6)) {
                d.displacement = fetchImmediate(src, ip, d, 2);
            }
        } else {
            if (rm == 4) {
                d.hasSib = true;
                int sib = fetchChecked(src, ip, d);
                if (sib < 0) {
                    return false;
                }
                d.scale = sib >>> 6;
                int idx = (sib >>> 3) & 7 | (d.rex & 2) << 2;
                d.index = idx == 4 ? -1 : idx;
                int base = sib & 7;
                if (base == 5 && d.mod == 0) {
                    d.displacement = fetchImmediate(src, ip, d, 4);
                } else {
                    d.base = base | (d.rex & 1) << 3;
                }
            } else if (rm == 5 && d.mod == 0) {
                if (d.mode == 64) {
                    d.base = DecodedInstruction.RIP;
                }
                d.displacement = fetchImmediate(src, ip, d, 4);
            } else {
                d.base = d.modrmRm;
            }
            if (d.base == 4 || d.base == 5) {
                defaultSeg = 2;
            }
            if (d.mod == 1) {
                d.displacement = fetchImmediate(src, ip, d, 1);
            } else if (d.mod == 2) {
                d.displacement = fetchImmediate(src, ip, d, 4);
            }
        }
        d.memorySegment = d.segmentOverride >= 0 ? d.segmentOverride : defaultSeg;
        return d.length <= 15;
    }

    private static int fetch(ByteSource src, long ip, DecodedInstruction d) {
        int b = src.fetch(ip + d.length) & 0xff;
        d.bytes[d.length++] = (byte) b;
        return b;
    }

    /** Like {@link #fetch} but returns -1 instead of reading a 16th byte. */
    private static int fetchChecked(ByteSource src, long ip, DecodedInstruction d) {
        if (d.length >= 15) {
            d.length++;
            return -1;
        }
        return fetch(src, ip, d);
    }

    /** Reads a little-endian immediate of n bytes, sign-extended; past 15 bytes it only counts the length. */
    private static long fetchImmediate(ByteSource src, long ip, DecodedInstruction d, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            int b = fetchChecked(src, ip, d);
            if (b < 0) {
                d.length += n - i - 1;
                return 0;
            }
            v |= (long) b << (8 * i);
        }
        return n == 8 ? v : (v << (64 - 8 * n)) >> (64 - 8 * n);
    }
}
