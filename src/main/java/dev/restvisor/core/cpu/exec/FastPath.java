package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Family;
import dev.restvisor.core.cpu.decode.Op;

import static dev.restvisor.core.cpu.decode.DecodedInstruction.AH;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_IMM;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_MEM;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_ONE;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_REG;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_REL;

/**
 * The most frequent instruction forms (MOV, LEA, MOVZX, MOVSX/MOVSXD, the ALU operations, shifts and rotates by
 * 1, CL or an immediate, INC DEC NEG NOT, CMOVcc, SETcc, XCHG of registers, IMUL r, r/m [, imm], CBW/CWDE/CDQE
 * and CWD/CDQ/CQO, Jcc, near JMP and CALL (relative and indirect) and RET, PUSH and POP of a register, the NOP family,
 * and the SSE/SSE2 instructions, which change no control flow, mode or segment and so need none of the generic
 * path's bookkeeping),
 * classified once when decoded ({@link DecodedInstruction#fastForm}) and run without the generic path's
 * family dispatch and switches over operand kinds and register widths. In an interpreter those
 * data-dependent branches, mispredicted from one guest instruction to the next, cost more than the work
 * itself; a form is one indirect branch and then straight-line code.
 *
 * <p>A form does exactly what the generic executor does for the same instruction: the same memory reads and
 * writes in the same order through the same {@link Interpreter#read}/{@link Interpreter#write} (segmentation,
 * paging, breakpoints, MMIO), the same flags through {@link Alu#binary}, and the same register results. So
 * the forms of the first group are restricted to register operands 0-15 (not AH-BH) and, where a register is
 * written, to 32- and 64-bit widths, where the write is a plain store (zero-extended for 32 bits, SDM Vol. 1
 * 3.4.1.1); the others take registers of any width, AH-BH included, through {@link Interpreter#reg} and
 * {@link Interpreter#setReg}, and their arithmetic is the generic executors' own ({@link Alu#unary},
 * {@link Shifts#shift}, {@link MulDiv#imul}, {@link DataMove#cmov}). LOCKed instructions (and XCHG with
 * memory) take the generic path with its cross-vcpu atomicity. FastPathDifferentialTest runs random forms
 * through both paths and compares.
 */
public final class FastPath {
    public static final int NONE = 0, MOV_RR = 1, MOV_RM = 2, MOV_MR = 3, MOV_RI = 4, MOV_MI = 5, LEA = 6, MOVZX_RM = 7,
            ALU_RR = 8, ALU_RI = 9, ALU_RM = 10, ALU_MR = 11, ALU_MI = 12, JCC = 13, PUSH_R = 14, POP_R = 15,
            JMP_REL = 16, CALL_REL = 17, RET_NEAR = 18, MOVSX_RR = 19, MOVSX_RM = 20, NOP = 21,
            // register operands of any width, AH-BH included, through Interpreter.reg/setReg
            MOVN_RR = 22, MOVN_RM = 23, MOVN_RI = 24, MOVN_MR = 25, ALUN_RR = 26, ALUN_RI = 27, ALUN_RM = 28,
            ALUN_MR = 29, SHIFT_RI = 30, SHIFT_RC = 31, SHIFT_MI = 32, SHIFT_MC = 33, UNARY_R = 34, UNARY_M = 35,
            CMOV_RR = 36, CMOV_RM = 37, SETCC_R = 38, SETCC_M = 39, XCHG_RR = 40, IMUL_RR = 41, IMUL_RM = 42,
            IMUL_RRI = 43, IMUL_RMI = 44, CBW = 45, CWD = 46, MOVZX_RR = 47, JMP_IND = 48, CALL_IND = 49,
            // every SSE/SSE2 instruction: the SSE executor itself, without the generic path's bookkeeping
            SSE = 50;

    private FastPath() {
    }

    /** A branch: the straight-line run it is part of ends with it. */
    public static boolean endsBlock(int form) {
        return form == JCC || form == JMP_REL || form == CALL_REL || form == RET_NEAR || form == JMP_IND
                || form == CALL_IND;
    }

    /** The form reads or writes memory (its operand or the stack), so it can fault, exit or reach a device. */
    public static boolean touchesMemory(DecodedInstruction d) {
        return d.hasMemory || usesStack(d.fastForm);
    }

    /** The form pushes or pops. */
    public static boolean usesStack(int form) {
        return form == PUSH_R || form == POP_R || form == CALL_REL || form == RET_NEAR || form == CALL_IND;
    }

    /**
     * Classifies a decoded instruction: sets {@link DecodedInstruction#fastForm} and, for a fast form, packs the
     * register numbers and sizes of operands 0 and 1 into {@link DecodedInstruction#fastOperands} (one load
     * instead of four array reads when it runs).
     */
    static void classify(DecodedInstruction d) {
        d.fastForm = form(d);
        if (d.fastForm != NONE) {
            // a shift by an immediate or by 1 carries its masked count in place of operand 1's register number
            int r1 = d.fastForm == SHIFT_RI || d.fastForm == SHIFT_MI
                    ? (d.kind[1] == K_ONE ? 1 : (int) d.imm) & (d.size[0] == 8 ? 0x3f : 0x1f) : d.reg[1];
            d.fastOperands = (d.reg[0] & 0xff) | (r1 & 0xff) << 8 | (d.size[0] & 0xff) << 16
                    | (d.size[1] & 0xff) << 24;
        }
    }

    /** The fast form of a decoded instruction, or {@link #NONE}. */
    private static int form(DecodedInstruction d) {
        if (d.lock || d.op == null) {
            return NONE;
        }
        int k0 = d.operandCount > 0 ? d.kind[0] : -1;
        int k1 = d.operandCount > 1 ? d.kind[1] : -1;
        boolean reg0 = k0 == K_REG && d.reg[0] < AH;
        boolean wide0 = reg0 && (d.size[0] == 4 || d.size[0] == 8);
        boolean reg1 = k1 == K_REG && d.reg[1] < AH;
        boolean imm1 = k1 == K_IMM && d.reg[1] == 0;
        // any general register, AH-BH included
        boolean anyReg0 = k0 == K_REG;
        boolean anyReg1 = k1 == K_REG;
        switch (d.op) {
            case MOV -> {
                if (d.operandCount != 2) {
                    return NONE;
                }
                if (wide0) {
                    return reg1 ? MOV_RR : k1 == K_MEM ? MOV_RM : imm1 ? MOV_RI : NONE;
                }
                if (anyReg0) {
                    return anyReg1 ? MOVN_RR : k1 == K_MEM ? MOVN_RM : imm1 ? MOVN_RI : NONE;
                }
                if (k0 == K_MEM) {
                    return reg1 ? MOV_MR : imm1 ? MOV_MI : anyReg1 ? MOVN_MR : NONE;
                }
                return NONE;
            }
            case ROL, ROR, RCL, RCR, SHL, SAL, SHR, SAR -> {
                if (d.operandCount != 2) {
                    return NONE;
                }
                boolean byCl = k1 == K_REG && d.reg[1] == 1 && d.size[1] == 1;
                boolean byConstant = k1 == K_ONE || imm1;
                if (anyReg0) {
                    return byCl ? SHIFT_RC : byConstant ? SHIFT_RI : NONE;
                }
                if (k0 == K_MEM) {
                    return byCl ? SHIFT_MC : byConstant ? SHIFT_MI : NONE;
                }
                return NONE;
            }
            case INC, DEC, NEG, NOT -> {
                if (d.operandCount != 1) {
                    return NONE;
                }
                return anyReg0 ? UNARY_R : k0 == K_MEM ? UNARY_M : NONE;
            }
            case CMOVCC -> {
                return d.operandCount == 2 && anyReg0 ? anyReg1 ? CMOV_RR : k1 == K_MEM ? CMOV_RM : NONE : NONE;
            }
            case SETCC -> {
                return d.operandCount == 1 ? anyReg0 ? SETCC_R : k0 == K_MEM ? SETCC_M : NONE : NONE;
            }
            case XCHG -> {
                return d.operandCount == 2 && anyReg0 && anyReg1 ? XCHG_RR : NONE;
            }
            case IMUL -> {
                if (d.operandCount == 2 && anyReg0) {
                    return anyReg1 ? IMUL_RR : k1 == K_MEM ? IMUL_RM : NONE;
                }
                if (d.operandCount == 3 && anyReg0 && d.kind[2] == K_IMM && d.reg[2] == 0) {
                    return anyReg1 ? IMUL_RRI : k1 == K_MEM ? IMUL_RMI : NONE;
                }
                return NONE;
            }
            case CBW -> {
                return CBW;
            }
            case CWD -> {
                return CWD;
            }
            case LEA -> {
                return wide0 ? LEA : NONE;
            }
            case MOVZX -> {
                return wide0 ? k1 == K_MEM ? MOVZX_RM : anyReg1 ? MOVZX_RR : NONE : NONE;
            }
            case ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST -> {
                if (d.operandCount != 2) {
                    return NONE;
                }
                // CMP and TEST write no register, so any width of register 0-15 qualifies
                if (wide0 || reg0 && (d.op == Op.CMP || d.op == Op.TEST)) {
                    return reg1 ? ALU_RR : imm1 ? ALU_RI : k1 == K_MEM ? ALU_RM : NONE;
                }
                if (anyReg0) {
                    return anyReg1 ? ALUN_RR : imm1 ? ALUN_RI : k1 == K_MEM ? ALUN_RM : NONE;
                }
                if (k0 == K_MEM) {
                    return reg1 ? ALU_MR : imm1 ? ALU_MI : anyReg1 ? ALUN_MR : NONE;
                }
                return NONE;
            }
            case JCC -> {
                return k0 == K_REL ? JCC : NONE;
            }
            case JMP -> {
                return k0 == K_REL ? JMP_REL : d.operandCount == 1 && (anyReg0 || k0 == K_MEM) ? JMP_IND : NONE;
            }
            case CALL -> {
                return k0 == K_REL ? CALL_REL : d.operandCount == 1 && (anyReg0 || k0 == K_MEM) ? CALL_IND : NONE;
            }
            case RET -> {
                return d.operandCount == 0 ? RET_NEAR : NONE;
            }
            case MOVSX, MOVSXD -> {
                return wide0 ? anyReg1 ? MOVSX_RR : k1 == K_MEM ? MOVSX_RM : NONE : NONE;
            }
            case PUSH -> {
                return d.operandCount == 1 && k0 == K_REG && d.reg[0] < AH ? PUSH_R : NONE;
            }
            case POP -> {
                return d.operandCount == 1 && k0 == K_REG && d.reg[0] < AH ? POP_R : NONE;
            }
            default -> {
                return d.op.family == Family.NOP ? NOP : d.op.family == Family.SSE ? SSE : NONE;
            }
        }
    }

    /** The register number of operand {@code i} (0 or 1) in a {@link DecodedInstruction#fastOperands} word. */
    public static int register(int fastOperands, int i) {
        return fastOperands >>> 8 * i & 0xff;
    }

    /** The size in bytes of operand {@code i} (0 or 1) in a {@link DecodedInstruction#fastOperands} word. */
    public static int size(int fastOperands, int i) {
        return fastOperands >>> 16 + 8 * i & 0xff;
    }

    /** The register-width mask of a 4- or 8-byte destination without a branch: 0xffffffff or all ones. */
    public static long wide(int size) {
        return -1L >>> 64 - 8 * size;
    }

    /** Runs an instruction whose {@link DecodedInstruction#fastForm} is not {@link #NONE}. */
    static void execute(Interpreter x, DecodedInstruction d) {
        long[] g = x.state.gpr;
        int ops = d.fastOperands;
        int r0 = register(ops, 0);
        int r1 = register(ops, 1);
        int s0 = size(ops, 0);
        int s1 = size(ops, 1);
        long wide = wide(s0);
        switch (d.fastForm) {
            case MOV_RR -> g[r0] = g[r1] & wide;
            case MOV_RM -> g[r0] = x.read(d.memorySegment, x.ea, s1) & wide;
            case MOV_MR -> x.write(d.memorySegment, x.ea, s0, g[r1] & Interpreter.mask(s1));
            case MOV_RI -> g[r0] = d.imm & wide;
            case MOV_MI -> x.write(d.memorySegment, x.ea, s0, d.imm);
            case LEA -> g[r0] = x.ea & wide;
            case MOVZX_RM -> g[r0] = x.read(d.memorySegment, x.ea, s1);
            case ALU_RR -> alu(x, d, g, r0, s0, wide, g[r0] & wide, g[r1] & Interpreter.mask(s1) & wide);
            case ALU_RI -> alu(x, d, g, r0, s0, wide, g[r0] & wide, d.imm & wide);
            case ALU_RM -> alu(x, d, g, r0, s0, wide, g[r0] & wide, x.read(d.memorySegment, x.ea, s1) & wide);
            case ALU_MR, ALU_MI -> {
                long m = Interpreter.mask(s0);
                long a = x.read(d.memorySegment, x.ea, s0);
                long b = (d.fastForm == ALU_MR ? g[r1] & Interpreter.mask(s1) : d.imm) & m;
                long r = Alu.binary(x.flags, d.op, s0, a, b);
                if (d.op != Op.CMP && d.op != Op.TEST) {
                    x.write(d.memorySegment, x.ea, s0, r & m);
                }
            }
            case JCC -> {
                if (x.flags.condition(d.condition)) {
                    x.nextRip = (x.nextRip + d.imm) & Interpreter.mask(d.opSize);
                }
            }
            case JMP_REL -> x.nextRip = (x.nextRip + d.imm) & Interpreter.mask(d.opSize);
            case CALL_REL -> {
                long t = (x.nextRip + d.imm) & Interpreter.mask(d.opSize);
                x.push(d.opSize, x.nextRip);
                x.nextRip = t;
            }
            case JMP_IND -> x.nextRip = x.readOp(d, 0) & Interpreter.mask(d.opSize);
            case CALL_IND -> {
                long t = x.readOp(d, 0) & Interpreter.mask(d.opSize);
                x.push(d.opSize, x.nextRip);
                x.nextRip = t;
            }
            case RET_NEAR -> {
                long t = x.peek(d.opSize, 0) & Interpreter.mask(d.opSize);
                x.pop(d.opSize);
                x.nextRip = t;
            }
            case MOVSX_RR -> g[r0] = signExtend(x.reg(r1, s1), s1) & wide;
            case MOVSX_RM -> g[r0] = signExtend(x.read(d.memorySegment, x.ea, s1), s1) & wide;
            case NOP -> { }
            case PUSH_R -> x.push(d.opSize, x.reg(r0, s0));
            case POP_R -> x.setReg(r0, s0, x.pop(d.opSize));
            case MOVN_RR -> x.setReg(r0, s0, x.reg(r1, s1));
            case MOVN_RM -> x.setReg(r0, s0, x.read(d.memorySegment, x.ea, s1));
            case MOVN_RI -> x.setReg(r0, s0, d.imm);
            case MOVN_MR -> x.write(d.memorySegment, x.ea, s0, x.reg(r1, s1));
            case MOVZX_RR -> g[r0] = x.reg(r1, s1);
            case ALUN_RR -> aluNarrow(x, d, r0, s0, x.reg(r1, s1));
            case ALUN_RI -> aluNarrow(x, d, r0, s0, d.imm);
            case ALUN_RM -> aluNarrow(x, d, r0, s0, x.read(d.memorySegment, x.ea, s1));
            case ALUN_MR -> {
                long m = Interpreter.mask(s0);
                long r = Alu.binary(x.flags, d.op, s0, x.read(d.memorySegment, x.ea, s0), x.reg(r1, s1) & m);
                if (d.op != Op.CMP && d.op != Op.TEST) {
                    x.write(d.memorySegment, x.ea, s0, r & m);
                }
            }
            case SHIFT_RI -> shiftRegister(x, d, r0, s0, r1);
            case SHIFT_RC -> shiftRegister(x, d, r0, s0, (int) g[1] & (s0 == 8 ? 0x3f : 0x1f));
            case SHIFT_MI -> shiftMemory(x, d, s0, r1);
            case SHIFT_MC -> shiftMemory(x, d, s0, (int) g[1] & (s0 == 8 ? 0x3f : 0x1f));
            case UNARY_R -> x.setReg(r0, s0, Alu.unary(x.flags, d.op, s0, x.reg(r0, s0)));
            case UNARY_M -> {
                long r = Alu.unary(x.flags, d.op, s0, x.read(d.memorySegment, x.ea, s0));
                x.write(d.memorySegment, x.ea, s0, r & Interpreter.mask(s0));
            }
            case CMOV_RR -> DataMove.cmov(x, r0, s0, x.reg(r1, s1), x.flags.condition(d.condition));
            case CMOV_RM -> DataMove.cmov(x, r0, s0, x.read(d.memorySegment, x.ea, s1), x.flags.condition(d.condition));
            case SETCC_R -> x.setReg(r0, 1, x.flags.condition(d.condition) ? 1 : 0);
            case SETCC_M -> x.write(d.memorySegment, x.ea, 1, x.flags.condition(d.condition) ? 1 : 0);
            case XCHG_RR -> {
                long a = x.reg(r0, s0);
                x.setReg(r0, s0, x.reg(r1, s1));
                x.setReg(r1, s1, a);
            }
            case IMUL_RR -> x.setReg(r0, s0, MulDiv.imul(x.flags, s0, x.reg(r0, s0), x.reg(r1, s1)));
            case IMUL_RM -> x.setReg(r0, s0, MulDiv.imul(x.flags, s0, x.reg(r0, s0), x.read(d.memorySegment, x.ea, s1)));
            case IMUL_RRI -> x.setReg(r0, s0, MulDiv.imul(x.flags, s0, x.reg(r1, s1), d.imm));
            case IMUL_RMI -> x.setReg(r0, s0, MulDiv.imul(x.flags, s0, x.read(d.memorySegment, x.ea, s1), d.imm));
            case CBW -> DataMove.cbw(x, d.opSize);
            case CWD -> DataMove.cwd(x, d.opSize);
            case SSE -> SseExecutor.execute(x, d);
            default -> throw new IllegalStateException("fast form " + d.fastForm);
        }
    }

    /** A two-operand ALU operation on a register destination of any width (AH-BH included). */
    private static void aluNarrow(Interpreter x, DecodedInstruction d, int r0, int s0, long b) {
        long r = Alu.binary(x.flags, d.op, s0, x.reg(r0, s0), b & Interpreter.mask(s0));
        if (d.op != Op.CMP && d.op != Op.TEST) {
            x.setReg(r0, s0, r);
        }
    }

    /**
     * A shift or rotate of a register by a masked count. A count of 0 changes no flag but still writes the
     * register, which clears the upper half of a 32-bit one (SDM Vol. 1 3.4.1.1), as the generic executor does.
     */
    private static void shiftRegister(Interpreter x, DecodedInstruction d, int r0, int s0, int count) {
        long a = x.reg(r0, s0);
        x.setReg(r0, s0, count == 0 ? a : Shifts.shift(x, d.op, s0, a, count));
    }

    /** A shift or rotate of memory by a masked count: read (and fault) even for a count of 0, written otherwise. */
    private static void shiftMemory(Interpreter x, DecodedInstruction d, int s0, int count) {
        long a = x.read(d.memorySegment, x.ea, s0);
        if (count != 0) {
            x.write(d.memorySegment, x.ea, s0, Shifts.shift(x, d.op, s0, a, count) & Interpreter.mask(s0));
        }
    }

    private static long signExtend(long v, int size) {
        int shift = 64 - 8 * size;
        return (v << shift) >> shift;
    }

    /** A two-operand ALU operation on a register destination (32 or 64 bits wide unless CMP or TEST). */
    private static void alu(Interpreter x, DecodedInstruction d, long[] g, int r0, int s0, long wide, long a, long b) {
        long r = Alu.binary(x.flags, d.op, s0, a, b);
        if (d.op != Op.CMP && d.op != Op.TEST) {
            g[r0] = r & wide;
        }
    }
}
