package dev.restvisor.core.cpu.decode;

/**
 * The x87 escape opcodes D8-DF as data (SDM Vol. 2 Appendix A.4, Tables ): the memory forms by
 * escape byte and ModRM.reg, the register forms by escape byte and ModRM (C0-FF). Each form names its
 * mnemonic, its kind of operation, the operand shape, an argument (the arithmetic operation, constant or
 * condition) and how many registers it pops. The reserved register encodings that Intel and AMD processors
 * execute as aliases (DC D0-DF FCOM/FCOMP, DD C8 and DF C8 FXCH, DE D0 FCOMP, D9 D8 and DF D0/D8 FSTP,
 * DF C0 FFREEP) are included, and DB E0/E1/E4 (FENI, FDISI, FSETPM) are no-ops since the 80387.
 */
public final class X87Table {
    /** What the executor does. */
    public enum Kind {
        ARITH, COM, COMI, LOAD, STORE, ISTORE, ISTTP, BLD, BSTP, XCH, CMOV, FREE, NOP, CHS, ABS, TST, XAM, CONST,
        F2XM1, FYL2X, FPTAN, FPATAN, FXTRACT, FPREM1, FDECSTP, FINCSTP, FPREM, FYL2XP1, FSQRT, FSINCOS, FRNDINT,
        FSCALE, FSIN, FCOS, FCOMPP_U, FLDENV, FLDCW, FNSTENV, FNSTCW, FRSTOR, FNSAVE, FNSTSW, FNCLEX, FNINIT
    }

    /** The operand: none, ST(i) alone, ST(0),ST(i), ST(i),ST(0), AX, or a memory operand of a format. */
    public enum Operand {
        NONE(0), STI(0), ST_STI(0), STI_ST(0), AX(0), M32FP(4), M64FP(8), M80FP(10), M16INT(2), M32INT(4),
        M64INT(8), M80BCD(10), M2BYTE(2), MENV(0), MSTATE(0);

        public final int size;

        Operand(int size) {
            this.size = size;
        }

        public boolean memory() {
            return ordinal() >= M32FP.ordinal();
        }
    }

    /**
     * One form. For ARITH, arg is X87Math's operation code; for COM/COMI, arg is 1 for the unordered form; for
     * STORE to a register, 1 marks the alias D9 D8+i, which raises no stack underflow.
     */
    public record Form(String mnemonic, Kind kind, Operand operand, int arg, int pops) {
    }

    /** By esc (0-7) * 8 + reg for memory forms. */
    private static final Form[] MEMORY = new Form[64];
    /** By esc (0-7) * 64 + (modrm & 63) for register forms. */
    private static final Form[] REGISTER = new Form[512];

    private X87Table() {
    }

    /** The form of escape byte esc (D8-DF) with this ModRM, or null if the encoding is reserved (#UD). */
    public static Form lookup(int esc, int modrm) {
        int e = esc & 7;
        return (modrm & 0xc0) == 0xc0 ? REGISTER[e << 6 | (modrm & 63)] : MEMORY[e << 3 | (modrm >>> 3 & 7)];
    }

    private static void mem(int esc, int reg, String mnemonic, Kind kind, Operand operand, int arg, int pops) {
        MEMORY[(esc & 7) << 3 | reg] = new Form(mnemonic, kind, operand, arg, pops);
    }

    /** The eight registers of row reg of escape esc. */
    private static void row(int esc, int reg, String mnemonic, Kind kind, Operand operand, int arg, int pops) {
        for (int i = 0; i < 8; i++) {
            REGISTER[(esc & 7) << 6 | reg << 3 | i] = new Form(mnemonic, kind, operand, arg, pops);
        }
    }

    private static void one(int esc, int modrm, String mnemonic, Kind kind, int arg, int pops) {
        REGISTER[(esc & 7) << 6 | (modrm & 63)] = new Form(mnemonic, kind, Operand.NONE, arg, pops);
    }

    static {
        String[] arith = {"fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"};
        Operand[] arithMem = {Operand.M32FP, Operand.M32INT, Operand.M64FP, Operand.M16INT};
        int[] arithEsc = {0xd8, 0xda, 0xdc, 0xde};
        for (int k = 0; k < 4; k++) {
            String prefix = (k & 1) != 0 ? "fi" : "f";
            for (int reg = 0; reg < 8; reg++) {
                String name = prefix + arith[reg].substring(1);
                if (reg == 2 || reg == 3) {
                    mem(arithEsc[k], reg, name, Kind.COM, arithMem[k], 0, reg - 2);
                } else {
                    mem(arithEsc[k], reg, name, Kind.ARITH, arithMem[k], reg, 0);
                }
            }
        }
        // D8 register forms: ST(0) = ST(0) op ST(i)
        for (int reg = 0; reg < 8; reg++) {
            if (reg == 2 || reg == 3) {
                row(0xd8, reg, arith[reg], Kind.COM, Operand.STI, 0, reg - 2);
                row(0xdc, reg, arith[reg], Kind.COM, Operand.STI, 0, reg - 2);
            } else {
                row(0xd8, reg, arith[reg], Kind.ARITH, Operand.ST_STI, reg, 0);
            }
        }
        // DC/DE register forms: ST(i) = ST(0) op ST(i) as numbered by reg; Intel names rows 4-7 the other way
        String[] reversed = {"fadd", "fmul", null, null, "fsubr", "fsub", "fdivr", "fdiv"};
        for (int reg : new int[] {0, 1, 4, 5, 6, 7}) {
            row(0xdc, reg, reversed[reg], Kind.ARITH, Operand.STI_ST, reg, 0);
            row(0xde, reg, reversed[reg] + "p", Kind.ARITH, Operand.STI_ST, reg, 1);
        }
        row(0xde, 2, "fcomp", Kind.COM, Operand.STI, 0, 1);
        one(0xde, 0xd9, "fcompp", Kind.COM, 0, 2);

        // D9
        mem(0xd9, 0, "fld", Kind.LOAD, Operand.M32FP, 0, 0);
        mem(0xd9, 2, "fst", Kind.STORE, Operand.M32FP, 0, 0);
        mem(0xd9, 3, "fstp", Kind.STORE, Operand.M32FP, 0, 1);
        mem(0xd9, 4, "fldenv", Kind.FLDENV, Operand.MENV, 0, 0);
        mem(0xd9, 5, "fldcw", Kind.FLDCW, Operand.M2BYTE, 0, 0);
        mem(0xd9, 6, "fnstenv", Kind.FNSTENV, Operand.MENV, 0, 0);
        mem(0xd9, 7, "fnstcw", Kind.FNSTCW, Operand.M2BYTE, 0, 0);
        row(0xd9, 0, "fld", Kind.LOAD, Operand.STI, 0, 0);
        row(0xd9, 1, "fxch", Kind.XCH, Operand.STI, 0, 0);
        one(0xd9, 0xd0, "fnop", Kind.NOP, 0, 0);
        row(0xd9, 3, "fstp", Kind.STORE, Operand.STI, 1, 1);
        one(0xd9, 0xe0, "fchs", Kind.CHS, 0, 0);
        one(0xd9, 0xe1, "fabs", Kind.ABS, 0, 0);
        one(0xd9, 0xe4, "ftst", Kind.TST, 0, 0);
        one(0xd9, 0xe5, "fxam", Kind.XAM, 0, 0);
        String[] constants = {"fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz"};
        for (int i = 0; i < constants.length; i++) {
            one(0xd9, 0xe8 + i, constants[i], Kind.CONST, i, 0);
        }
        Kind[] f0 = {Kind.F2XM1, Kind.FYL2X, Kind.FPTAN, Kind.FPATAN, Kind.FXTRACT, Kind.FPREM1, Kind.FDECSTP,
            Kind.FINCSTP, Kind.FPREM, Kind.FYL2XP1, Kind.FSQRT, Kind.FSINCOS, Kind.FRNDINT, Kind.FSCALE, Kind.FSIN,
            Kind.FCOS};
        for (int i = 0; i < 16; i++) {
            one(0xd9, 0xf0 + i, f0[i].name().toLowerCase(), f0[i], 0, f0[i] == Kind.FYL2X || f0[i] == Kind.FPATAN
                    || f0[i] == Kind.FYL2XP1 ? 1 : 0);
        }

        // DA
        String[] cmov = {"fcmovb", "fcmove", "fcmovbe", "fcmovu"};
        for (int reg = 0; reg < 4; reg++) {
            row(0xda, reg, cmov[reg], Kind.CMOV, Operand.ST_STI, reg, 0);
            row(0xdb, reg, "fcmovn" + cmov[reg].substring(5), Kind.CMOV, Operand.ST_STI, reg | 4, 0);
        }
        one(0xda, 0xe9, "fucompp", Kind.COM, 1, 2);

        // DB
        mem(0xdb, 0, "fild", Kind.LOAD, Operand.M32INT, 0, 0);
        mem(0xdb, 1, "fisttp", Kind.ISTTP, Operand.M32INT, 0, 1);
        mem(0xdb, 2, "fist", Kind.ISTORE, Operand.M32INT, 0, 0);
        mem(0xdb, 3, "fistp", Kind.ISTORE, Operand.M32INT, 0, 1);
        mem(0xdb, 5, "fld", Kind.LOAD, Operand.M80FP, 0, 0);
        mem(0xdb, 7, "fstp", Kind.STORE, Operand.M80FP, 0, 1);
        one(0xdb, 0xe0, "fneni", Kind.NOP, 0, 0);
        one(0xdb, 0xe1, "fndisi", Kind.NOP, 0, 0);
        one(0xdb, 0xe2, "fnclex", Kind.FNCLEX, 0, 0);
        one(0xdb, 0xe3, "fninit", Kind.FNINIT, 0, 0);
        one(0xdb, 0xe4, "fnsetpm", Kind.NOP, 0, 0);
        row(0xdb, 5, "fucomi", Kind.COMI, Operand.ST_STI, 1, 0);
        row(0xdb, 6, "fcomi", Kind.COMI, Operand.ST_STI, 0, 0);

        // DD
        mem(0xdd, 0, "fld", Kind.LOAD, Operand.M64FP, 0, 0);
        mem(0xdd, 1, "fisttp", Kind.ISTTP, Operand.M64INT, 0, 1);
        mem(0xdd, 2, "fst", Kind.STORE, Operand.M64FP, 0, 0);
        mem(0xdd, 3, "fstp", Kind.STORE, Operand.M64FP, 0, 1);
        mem(0xdd, 4, "frstor", Kind.FRSTOR, Operand.MSTATE, 0, 0);
        mem(0xdd, 6, "fnsave", Kind.FNSAVE, Operand.MSTATE, 0, 0);
        mem(0xdd, 7, "fnstsw", Kind.FNSTSW, Operand.M2BYTE, 0, 0);
        row(0xdd, 0, "ffree", Kind.FREE, Operand.STI, 0, 0);
        row(0xdd, 1, "fxch", Kind.XCH, Operand.STI, 0, 0);
        row(0xdd, 2, "fst", Kind.STORE, Operand.STI, 0, 0);
        row(0xdd, 3, "fstp", Kind.STORE, Operand.STI, 0, 1);
        row(0xdd, 4, "fucom", Kind.COM, Operand.STI, 1, 0);
        row(0xdd, 5, "fucomp", Kind.COM, Operand.STI, 1, 1);

        // DF
        mem(0xdf, 0, "fild", Kind.LOAD, Operand.M16INT, 0, 0);
        mem(0xdf, 1, "fisttp", Kind.ISTTP, Operand.M16INT, 0, 1);
        mem(0xdf, 2, "fist", Kind.ISTORE, Operand.M16INT, 0, 0);
        mem(0xdf, 3, "fistp", Kind.ISTORE, Operand.M16INT, 0, 1);
        mem(0xdf, 4, "fbld", Kind.BLD, Operand.M80BCD, 0, 0);
        mem(0xdf, 5, "fild", Kind.LOAD, Operand.M64INT, 0, 0);
        mem(0xdf, 6, "fbstp", Kind.BSTP, Operand.M80BCD, 0, 1);
        mem(0xdf, 7, "fistp", Kind.ISTORE, Operand.M64INT, 0, 1);
        row(0xdf, 0, "ffreep", Kind.FREE, Operand.STI, 0, 1);
        row(0xdf, 1, "fxch", Kind.XCH, Operand.STI, 0, 0);
        row(0xdf, 2, "fstp", Kind.STORE, Operand.STI, 0, 1);
        row(0xdf, 3, "fstp", Kind.STORE, Operand.STI, 0, 1);
        REGISTER[7 << 6 | 0x20] = new Form("fnstsw", Kind.FNSTSW, Operand.AX, 0, 0);
        row(0xdf, 5, "fucomip", Kind.COMI, Operand.ST_STI, 1, 1);
        row(0xdf, 6, "fcomip", Kind.COMI, Operand.ST_STI, 0, 1);
    }
}
