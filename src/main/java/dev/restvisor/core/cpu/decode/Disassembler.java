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

/**
 * Intel-syntax text of a {@link DecodedInstruction}, in the style of GNU objdump {@code -M intel}
 * (lower-case mnemonics, {@code DWORD PTR [rax+rbx*4+0x8]}, hexadecimal immediates masked to the
 * operand size, branch targets as absolute addresses). For the console and for tests.
 */
public final class Disassembler {
    private static final String[] R64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    private static final String[] R32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
        "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
    private static final String[] R16 = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
        "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
    private static final String[] R8 = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
        "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b", "ah", "ch", "dh", "bh"};
    private static final String[] SREG = {"es", "cs", "ss", "ds", "fs", "gs"};
    private static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np",
        "l", "ge", "le", "g"};

    private Disassembler() {
    }

    /**
     * Decodes and formats the instruction at {@code ip}.
     *
     * @return the text, or {@code "(bad)"} for an undefined or invalid encoding
     */
    public static String disassemble(Decoder.ByteSource src, long ip, int mode, DecodedInstruction d) {
        if (Decoder.decode(src, ip, mode, d) != Decoder.OK) {
            return "(bad)";
        }
        return format(d, ip);
    }

    /** Formats an already decoded instruction located at {@code ip}. */
    public static String format(DecodedInstruction d, long ip) {
        if (d.op == Op.ESC) {
            return x87(d);
        }
        StringBuilder sb = new StringBuilder();
        if (d.lock) {
            sb.append("lock ");
        }
        if (d.rep != DecodedInstruction.REP_NONE && d.op.family == Family.STRING) {
            boolean compares = d.op == Op.CMPS || d.op == Op.SCAS;
            sb.append(d.rep == DecodedInstruction.REP_F2 ? "repnz " : compares ? "repz " : "rep ");
        }
        sb.append(mnemonic(d));
        int first = sb.length();
        for (int i = 0; i < d.operandCount; i++) {
            String o = operand(d, i, ip);
            if (o == null) {
                continue;
            }
            sb.append(sb.length() == first ? " " : ",").append(o);
        }
        return sb.toString();
    }

    /** objdump's size suffix: none at the mode's natural operand size, else w, d or q. */
    private static String suffix(DecodedInstruction d) {
        boolean stack64 = d.op == Op.PUSHF || d.op == Op.POPF || d.op == Op.PUSH || d.op == Op.POP || d.op == Op.RET
                || d.op == Op.ENTER || d.op == Op.LEAVE || d.op == Op.CALL || d.op == Op.JMP;
        int natural = d.mode == 16 ? 2 : d.mode == 64 && stack64 ? 8 : 4;
        if (d.opSize == natural) {
            return "";
        }
        return d.opSize == 2 ? "w" : d.opSize == 4 ? "d" : "q";
    }

    private static String mnemonic(DecodedInstruction d) {
        return switch (d.op) {
            case JCC -> "j" + CC[d.condition];
            case SETCC -> "set" + CC[d.condition];
            case CMOVCC -> "cmov" + CC[d.condition];
            case CBW -> d.opSize == 2 ? "cbw" : d.opSize == 4 ? "cwde" : "cdqe";
            case CWD -> d.opSize == 2 ? "cwd" : d.opSize == 4 ? "cdq" : "cqo";
            case JCXZ -> d.addrSize == 2 ? "jcxz" : d.addrSize == 4 ? "jecxz" : "jrcxz";
            case PUSHA, POPA, PUSHF, POPF, IRET -> d.op.name().toLowerCase() + suffix(d);
            case MOVCR, MOVDR -> "mov";
            case JMPF -> "jmp";
            case CALLF -> "call";
            case SAL -> "shl";
            case SYSRET, SYSEXIT -> d.mode == 64 ? d.op.name().toLowerCase() + (d.rexW() ? "q" : "d") : d.op.name().toLowerCase();
            case RET, ENTER, LEAVE, RETF -> d.op.name().toLowerCase() + suffix(d);
            case CALL, JMP -> d.op.name().toLowerCase() + (d.kind[0] == K_REL ? suffix(d) : "");
            case PUSH, POP -> d.op.name().toLowerCase() + (d.kind[0] == K_SREG || d.kind[0] == K_IMM
                    ? suffix(d) : "");
            case SGDT, SIDT, LGDT, LIDT -> d.op.name().toLowerCase() + (d.mode == 64 ? "" : d.opSize == 4 ? "d" : "w");
            case XLAT -> "xlat " + ptr(1) + (d.segmentOverride >= 0 ? SREG[d.segmentOverride] : "ds") + ":["
                    + reg(3, d.addrSize) + "]";
            case INT1 -> "int1";
            case NOP -> d.opcode == (DecodedInstruction.MAP_1BYTE << 8 | 0x90) && d.opSize != (d.mode == 16 ? 2 : 4)
                    ? "xchg " + reg(0, d.opSize) + "," + reg(0, d.opSize) : "nop";
            case MOV -> isMovabs(d) ? "movabs" : "mov";
            case MOVD -> d.rexW() ? "movq" : "movd";
            default -> d.op.name().toLowerCase();
        };
    }

    /** MOV with a 64-bit immediate or a 64-bit moffs (objdump's "movabs"). */
    private static boolean isMovabs(DecodedInstruction d) {
        int b = d.opcode & 0xff;
        return d.mode == 64 && (d.opcode >>> 8) == 0
                && ((b >= 0xa0 && b <= 0xa3 && d.addrSize == 8) || (b >= 0xb8 && b <= 0xbf && d.opSize == 8));
    }

    private static String reg(int r, int size) {
        return switch (size) {
            case 1 -> R8[r];
            case 2 -> R16[r];
            case 4 -> R32[r];
            default -> R64[r];
        };
    }

    private static String operand(DecodedInstruction d, int i, long ip) {
        int size = d.size[i];
        return switch (d.kind[i]) {
            case K_REG -> {
                int r = d.reg[i];
                // general registers of SSE instructions print at least 32 bits wide (objdump's pinsrw xmm0,ecx)
                yield r >= AH ? R8[r] : reg(r, d.op.family == Family.SSE ? Math.max(size, 4) : size);
            }
            case K_SREG -> SREG[d.reg[i]];
            case DecodedInstruction.K_XMM -> "xmm" + d.reg[i];
            case K_CREG -> "cr" + d.reg[i];
            case K_DREG -> "dr" + d.reg[i];
            case K_IMM -> hex((d.reg[i] == 0 ? d.imm : d.imm2) & immMask(d, i));
            case K_ONE -> "1";
            case K_REL -> hex((ip + d.length + d.imm) & (d.mode == 64 ? -1L : mask(d.opSize)));
            case K_FAR -> hex(d.imm2) + ":" + hex(d.imm);
            case K_MEM -> memory(d, i);
            case K_STR_SRC -> ptr(d.size[i]) + SREG[d.segmentOverride >= 0 ? d.segmentOverride : 3]
                    + ":[" + reg(6, d.addrSize) + "]";
            case K_STR_DST -> ptr(d.size[i]) + "es:[" + reg(7, d.addrSize) + "]";
            default -> null;
        };
    }

    /** Immediates print masked to the size of the operand they combine with (objdump shows 0xffffffff for -1). */
    private static long immMask(DecodedInstruction d, int i) {
        if (d.op.family == Family.SSE || d.op == Op.ENTER || d.op == Op.RET || d.op == Op.RETF || d.op == Op.INT || d.op == Op.IN
                || d.op == Op.OUT || d.op == Op.AAM || d.op == Op.AAD) {
            return mask(d.size[i]);
        }
        if (d.op == Op.PUSH) {
            return mask(d.opSize);
        }
        if (i > 0 && (d.op == Op.SHLD || d.op == Op.SHRD || d.op.family == Family.SHIFT || d.op == Op.BT
                || d.op == Op.BTS || d.op == Op.BTR || d.op == Op.BTC)) {
            return 0xff;
        }
        return mask(d.size[0] == 0 ? d.size[i] : d.size[0]);
    }

    private static long mask(int size) {
        return size >= 8 ? -1L : (1L << (size * 8)) - 1;
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String ptr(int size) {
        return switch (size) {
            case 1 -> "BYTE PTR ";
            case 2 -> "WORD PTR ";
            case 4 -> "DWORD PTR ";
            case 6 -> "FWORD PTR ";
            case 8 -> "QWORD PTR ";
            case 10 -> "TBYTE PTR ";
            case 16 -> "OWORD PTR ";
            default -> "";
        };
    }

    /** An x87 escape (D8-DF) by {@link X87Table}: objdump's operand order, "st" for ST(0). */
    private static String x87(DecodedInstruction d) {
        X87Table.Form f = X87Table.lookup(d.opcode & 0xff, d.mod << 6 | (d.modrmReg & 7) << 3 | (d.modrmRm & 7));
        if (f == null) {
            return "(bad)";
        }
        String sti = "st(" + (d.modrmRm & 7) + ")";
        String operand = switch (f.operand()) {
            case NONE -> "";
            case STI -> sti;
            case ST_STI -> "st," + sti;
            case STI_ST -> sti + ",st";
            case AX -> "ax";
            case MENV, MSTATE -> memory(d, 0, false);
            default -> memory(d, f.operand().size, true);
        };
        String mnemonic = f.mnemonic();
        if (f.operand() == X87Table.Operand.MENV || f.operand() == X87Table.Operand.MSTATE) {
            // the 16-bit or 32-bit image when the operand size is not the mode's own
            if (d.mode == 16 ? d.opSize == 4 : d.opSize == 2) {
                mnemonic += d.mode == 16 ? "d" : "w";
            }
        }
        return operand.isEmpty() ? mnemonic : mnemonic + " " + operand;
    }

    private static String memory(DecodedInstruction d, int i) {
        boolean moffs = !d.hasModrm;
        return memory(d, d.size[i], !moffs && d.op != Op.LEA && d.op != Op.LGDT && d.op != Op.LIDT
                && d.op != Op.SGDT && d.op != Op.SIDT && d.op != Op.FXSAVE && d.op != Op.FXRSTOR);
    }

    private static String memory(DecodedInstruction d, int size, boolean withPtr) {
        StringBuilder sb = new StringBuilder();
        if (withPtr) {
            sb.append(d.op.family == Family.SSE && size == 16 ? "XMMWORD PTR " : ptr(size));
        }
        boolean absolute = d.base < 0 && d.index < 0;
        if (d.segmentOverride >= 0) {
            sb.append(SREG[d.segmentOverride]).append(':');
        } else if (absolute) {
            sb.append("ds:");
        }
        if (absolute) {
            return sb.append(hex(d.displacement & mask(d.addrSize))).toString();
        }
        sb.append('[');
        int as = d.addrSize;
        boolean any = false;
        if (d.base == DecodedInstruction.RIP) {
            sb.append(as == 8 ? "rip" : "eip");
            any = true;
        } else if (d.base >= 0) {
            sb.append(reg(d.base, as));
            any = true;
        }
        if (d.index >= 0) {
            sb.append(any ? "+" : "").append(reg(d.index, as));
            if (as != 2) {
                sb.append('*').append(1 << d.scale);
            }
            any = true;
        } else if (d.hasSib && (d.base & 7) != 4) {
            sb.append(any ? "+" : "").append(as == 8 ? "riz" : "eiz").append("*").append(1 << d.scale);
            any = true;
        }
        long disp = d.displacement;
        if (as == 2) {
            disp = (short) disp;
        } else if (as == 4 && d.base != DecodedInstruction.RIP) {
            disp = (int) disp;
        }
        boolean hasDisp = d.mod == 1 || d.mod == 2 || d.base < 0 || d.base == DecodedInstruction.RIP;
        if (hasDisp) {
            if (!any) {
                sb.append(hex(disp & mask(as)));
            } else if (disp < 0) {
                sb.append('-').append(hex(-disp));
            } else {
                sb.append('+').append(hex(disp));
            }
        }
        return sb.append(']').toString();
    }
}
