package dev.restvisor.core.cpu.decode;

/**
 * One decoded instruction. Mutable and reused: the decoder fills it in place, so decoding allocates
 * nothing. Everything here is static information from the bytes; the effective address is computed at
 * execution ({@link #effectiveAddress}).
 */
public final class DecodedInstruction {
    // operand kinds
    public static final int K_NONE = 0, K_REG = 1, K_MEM = 2, K_IMM = 3, K_SREG = 4, K_CREG = 5, K_DREG = 6,
            K_REL = 7, K_FAR = 8, K_STR_SRC = 9, K_STR_DST = 10, K_ONE = 11,
            /** An XMM register; {@link #reg} holds its number 0-15. */
            K_XMM = 12;
    /** {@link #reg} value of the byte registers AH, CH, DH, BH (legacy encodings 4-7 without REX). */
    public static final int AH = 16;
    /** {@link #base} value meaning RIP (RIP-relative addressing). */
    public static final int RIP = 16;
    public static final int REP_NONE = 0, REP_F3 = 1, REP_F2 = 2;
    /** Opcode map numbers in {@link #opcode} bits 8-9. */
    public static final int MAP_1BYTE = 0, MAP_0F = 1, MAP_0F38 = 2, MAP_0F3A = 3;

    public Op op;
    /** Map number in bits 8-9, opcode byte in bits 0-7. */
    public int opcode;
    public int length;
    /** Operand size in bytes: 2, 4 or 8. */
    public int opSize;
    /** Address size in bytes: 2, 4 or 8. */
    public int addrSize;
    /** The code size the instruction was decoded for: 16, 32 or 64. */
    public int mode;
    /** The segment prefix (SegmentRegister index) or -1. */
    public int segmentOverride;
    public boolean lock;
    /** REP_NONE, REP_F3 (REP/REPE) or REP_F2 (REPNE); cleared when the prefix was mandatory. */
    public int rep;
    public boolean operandSizePrefix;
    public boolean addressSizePrefix;
    public boolean rexPresent;
    /** The REX byte's low nibble (W R X B). */
    public int rex;
    /** Condition code (low opcode nibble) of Jcc, SETcc, CMOVcc. */
    public int condition;

    public boolean hasModrm;
    public int mod;
    /** ModRM.reg extended by REX.R. */
    public int modrmReg;
    /** ModRM.rm extended by REX.B (the register when mod = 3). */
    public int modrmRm;

    /** Memory operand: base register (or RIP, or -1), index register (or -1), scale shift, displacement. */
    public boolean hasMemory;
    /** The memory operand was encoded with a SIB byte. */
    public boolean hasSib;
    public int base;
    public int index;
    public int scale;
    public long displacement;
    /** The segment of the memory operand: the override or the default (SS for rBP/rSP bases). */
    public int memorySegment;

    public int operandCount;
    public final int[] kind = new int[3];
    /** Register number per operand (GPR 0-15, AH.. = 16-19, segment, CR or DR number). */
    public final int[] reg = new int[3];
    /** Operand size in bytes per operand. */
    public final int[] size = new int[3];
    /** First immediate (sign-extended), relative displacement, or far offset. */
    public long imm;
    /** Second immediate (ENTER's nesting level) or far selector. */
    public long imm2;

    public final byte[] bytes = new byte[15];

    /**
     * Not decoded information: the executor's classification of this instruction into one of its fast forms
     * (0 = none), made once when the instruction is decoded and kept with it in the instruction cache.
     */
    public int fastForm;
    /** With a fast form: the executor's packed copy of operands 0 and 1 (register numbers and sizes). */
    public int fastOperands;

    void reset() {
        op = null;
        length = 0;
        segmentOverride = -1;
        lock = false;
        rep = REP_NONE;
        operandSizePrefix = false;
        addressSizePrefix = false;
        rexPresent = false;
        rex = 0;
        condition = 0;
        hasModrm = false;
        mod = 0;
        modrmReg = 0;
        modrmRm = 0;
        hasMemory = false;
        hasSib = false;
        base = -1;
        index = -1;
        scale = 0;
        displacement = 0;
        memorySegment = 3;
        operandCount = 0;
        imm = 0;
        imm2 = 0;
        fastForm = 0;
        fastOperands = 0;
    }

    public boolean rexW() {
        return (rex & 8) != 0;
    }

    /** The effective address (offset in {@link #memorySegment}), wrapped to the address size. */
    public long effectiveAddress(long[] gpr, long nextRip) {
        long ea = displacement;
        if (base >= 0) {
            ea += base == RIP ? nextRip : gpr[base];
        }
        if (index >= 0) {
            ea += gpr[index] << scale;
        }
        return addrSize == 8 ? ea : addrSize == 4 ? ea & 0xffffffffL : ea & 0xffff;
    }
}
