package dev.restvisor.core.cpu.decode;

import static dev.restvisor.core.cpu.decode.OpcodeEntry.D64;
import static dev.restvisor.core.cpu.decode.OpcodeEntry.F64;
import static dev.restvisor.core.cpu.decode.OpcodeEntry.I64;
import static dev.restvisor.core.cpu.decode.OpcodeEntry.LOCK;
import static dev.restvisor.core.cpu.decode.OpcodeEntry.MEM_ONLY;
import static dev.restvisor.core.cpu.decode.OpcodeEntry.MODRM;
import static dev.restvisor.core.cpu.decode.OpcodeEntry.O64;
import static dev.restvisor.core.cpu.decode.OpcodeEntry.REG_ONLY;
import static dev.restvisor.core.cpu.decode.OpcodeEntry.REP;

/**
 * The opcode maps of SDM Vol. 2D Appendix A (Tables for the groups), as
 * data. A null cell is an undefined opcode (#UD). Prefix bytes are handled by the decoder and do not
 * appear here.
 */
final class OpcodeTables {
    static final OpcodeEntry[] ONE_BYTE = new OpcodeEntry[256];
    static final OpcodeEntry[] MAP_0F = new OpcodeEntry[256];
    static final OpcodeEntry[] MAP_0F38 = new OpcodeEntry[256];
    static final OpcodeEntry[] MAP_0F3A = new OpcodeEntry[256];

    private OpcodeTables() {
    }

    private static OpcodeEntry e(Op op, String operands, int attrs) {
        return new OpcodeEntry(op, operands, attrs);
    }

    private static OpcodeEntry e(Op op, String operands) {
        return new OpcodeEntry(op, operands, 0);
    }

    private static void op(OpcodeEntry[] map, int opcode, Op op, String operands, int attrs) {
        map[opcode] = e(op, operands, attrs);
    }

    private static void op(OpcodeEntry[] map, int opcode, Op op, String operands) {
        map[opcode] = e(op, operands, 0);
    }

    /** A ModRM.reg group whose members share one operand list. */
    private static OpcodeEntry group(String operands, int attrs, Op... byReg) {
        OpcodeEntry[] cells = new OpcodeEntry[8];
        for (int i = 0; i < 8; i++) {
            // CMP only reads its destination, so LOCK CMP is #UD
            cells[i] = byReg[i] == null ? null : e(byReg[i], operands, byReg[i] == Op.CMP ? attrs & ~LOCK : attrs);
        }
        return groupOf(cells);
    }

    private static OpcodeEntry groupOf(OpcodeEntry... byReg) {
        OpcodeEntry g = new OpcodeEntry(null, "", MODRM);
        g.byReg = byReg;
        return g;
    }

    private static OpcodeEntry byRm(OpcodeEntry... cells) {
        OpcodeEntry g = new OpcodeEntry(null, "", MODRM);
        g.byRm = cells;
        return g;
    }

    /** Mandatory-prefix selection: no prefix, 66, F3, F2. */
    private static OpcodeEntry byPrefix(OpcodeEntry none, OpcodeEntry p66, OpcodeEntry pF3, OpcodeEntry pF2) {
        OpcodeEntry g = new OpcodeEntry(null, "", 0);
        g.byPrefix = new OpcodeEntry[] {none, p66, pF3, pF2};
        return g;
    }

    private static final Op[] ALU = {Op.ADD, Op.OR, Op.ADC, Op.SBB, Op.AND, Op.SUB, Op.XOR, Op.CMP};
    private static final Op[] SHIFT = {Op.ROL, Op.ROR, Op.RCL, Op.RCR, Op.SHL, Op.SHR, Op.SAL, Op.SAR};

    static {
        OpcodeEntry[] t = ONE_BYTE;
        // Table A-2 rows 0-3: the eight ALU operations, each in six forms; between them segment pushes/pops and BCD.
        for (int i = 0; i < 8; i++) {
            int b = i << 3;
            int lock = ALU[i] == Op.CMP ? 0 : LOCK;
            op(t, b, ALU[i], "Eb,Gb", lock);
            op(t, b + 1, ALU[i], "Ev,Gv", lock);
            op(t, b + 2, ALU[i], "Gb,Eb");
            op(t, b + 3, ALU[i], "Gv,Ev");
            op(t, b + 4, ALU[i], "AL,Ib");
            op(t, b + 5, ALU[i], "rAX,Iz");
        }
        op(t, 0x06, Op.PUSH, "ES", I64);
        op(t, 0x07, Op.POP, "ES", I64);
        op(t, 0x0e, Op.PUSH, "CS", I64);
        op(t, 0x16, Op.PUSH, "SS", I64);
        op(t, 0x17, Op.POP, "SS", I64);
        op(t, 0x1e, Op.PUSH, "DS", I64);
        op(t, 0x1f, Op.POP, "DS", I64);
        op(t, 0x27, Op.DAA, "", I64);
        op(t, 0x2f, Op.DAS, "", I64);
        op(t, 0x37, Op.AAA, "", I64);
        op(t, 0x3f, Op.AAS, "", I64);
        for (int r = 0; r < 8; r++) {
            op(t, 0x40 + r, Op.INC, "Zv", I64); // REX prefixes in 64-bit mode
            op(t, 0x48 + r, Op.DEC, "Zv", I64);
            op(t, 0x50 + r, Op.PUSH, "Zv", D64);
            op(t, 0x58 + r, Op.POP, "Zv", D64);
        }
        op(t, 0x60, Op.PUSHA, "", I64);
        op(t, 0x61, Op.POPA, "", I64);
        op(t, 0x62, Op.BOUND, "Gv,Ma", I64);
        t[0x63] = e(Op.ARPL, "Ew,Gw");
        t[0x63].in64 = e(Op.MOVSXD, "Gv,Ed");
        op(t, 0x68, Op.PUSH, "Iz", D64);
        op(t, 0x69, Op.IMUL, "Gv,Ev,Iz");
        op(t, 0x6a, Op.PUSH, "Ib", D64);
        op(t, 0x6b, Op.IMUL, "Gv,Ev,Ib");
        op(t, 0x6c, Op.INS, "Yb,DX", REP);
        op(t, 0x6d, Op.INS, "Yz,DX", REP);
        op(t, 0x6e, Op.OUTS, "DX,Xb", REP);
        op(t, 0x6f, Op.OUTS, "DX,Xz", REP);
        for (int cc = 0; cc < 16; cc++) {
            op(t, 0x70 + cc, Op.JCC, "Jb", F64);
        }
        t[0x80] = group("Eb,Ib", LOCK, ALU);
        t[0x81] = group("Ev,Iz", LOCK, ALU);
        t[0x82] = group("Eb,Ib", LOCK | I64, ALU);
        t[0x83] = group("Ev,Ib", LOCK, ALU);
        op(t, 0x84, Op.TEST, "Eb,Gb");
        op(t, 0x85, Op.TEST, "Ev,Gv");
        op(t, 0x86, Op.XCHG, "Eb,Gb", LOCK);
        op(t, 0x87, Op.XCHG, "Ev,Gv", LOCK);
        op(t, 0x88, Op.MOV, "Eb,Gb");
        op(t, 0x89, Op.MOV, "Ev,Gv");
        op(t, 0x8a, Op.MOV, "Gb,Eb");
        op(t, 0x8b, Op.MOV, "Gv,Ev");
        op(t, 0x8c, Op.MOV, "Ev,Sw");
        op(t, 0x8d, Op.LEA, "Gv,M");
        op(t, 0x8e, Op.MOV, "Sw,Ew");
        t[0x8f] = groupOf(e(Op.POP, "Ev", D64), null, null, null, null, null, null, null);
        op(t, 0x90, Op.NOP, "");
        for (int r = 1; r < 8; r++) {
            op(t, 0x90 + r, Op.XCHG, "Zv,rAX");
        }
        op(t, 0x98, Op.CBW, "");
        op(t, 0x99, Op.CWD, "");
        op(t, 0x9a, Op.CALLF, "Ap", I64);
        op(t, 0x9b, Op.FWAIT, "");
        op(t, 0x9c, Op.PUSHF, "", D64);
        op(t, 0x9d, Op.POPF, "", D64);
        op(t, 0x9e, Op.SAHF, "");
        op(t, 0x9f, Op.LAHF, "");
        op(t, 0xa0, Op.MOV, "AL,Ob");
        op(t, 0xa1, Op.MOV, "rAX,Ov");
        op(t, 0xa2, Op.MOV, "Ob,AL");
        op(t, 0xa3, Op.MOV, "Ov,rAX");
        op(t, 0xa4, Op.MOVS, "Yb,Xb", REP);
        op(t, 0xa5, Op.MOVS, "Yv,Xv", REP);
        op(t, 0xa6, Op.CMPS, "Xb,Yb", REP);
        op(t, 0xa7, Op.CMPS, "Xv,Yv", REP);
        op(t, 0xa8, Op.TEST, "AL,Ib");
        op(t, 0xa9, Op.TEST, "rAX,Iz");
        op(t, 0xaa, Op.STOS, "Yb,AL", REP);
        op(t, 0xab, Op.STOS, "Yv,rAX", REP);
        op(t, 0xac, Op.LODS, "AL,Xb", REP);
        op(t, 0xad, Op.LODS, "rAX,Xv", REP);
        op(t, 0xae, Op.SCAS, "AL,Yb", REP);
        op(t, 0xaf, Op.SCAS, "rAX,Yv", REP);
        for (int r = 0; r < 8; r++) {
            op(t, 0xb0 + r, Op.MOV, "Zb,Ib");
            op(t, 0xb8 + r, Op.MOV, "Zv,Iv");
        }
        t[0xc0] = group("Eb,Ib", 0, SHIFT);
        t[0xc1] = group("Ev,Ib", 0, SHIFT);
        op(t, 0xc2, Op.RET, "Iw", F64);
        op(t, 0xc3, Op.RET, "", F64);
        op(t, 0xc4, Op.LES, "Gz,Mp", I64);
        op(t, 0xc5, Op.LDS, "Gz,Mp", I64);
        t[0xc6] = groupOf(e(Op.MOV, "Eb,Ib"), null, null, null, null, null, null, null);
        t[0xc7] = groupOf(e(Op.MOV, "Ev,Iz"), null, null, null, null, null, null, null);
        op(t, 0xc8, Op.ENTER, "Iw,Ib", D64);
        op(t, 0xc9, Op.LEAVE, "", D64);
        op(t, 0xca, Op.RETF, "Iw");
        op(t, 0xcb, Op.RETF, "");
        op(t, 0xcc, Op.INT3, "");
        op(t, 0xcd, Op.INT, "Ib");
        op(t, 0xce, Op.INTO, "", I64);
        op(t, 0xcf, Op.IRET, "");
        t[0xd0] = group("Eb,1", 0, SHIFT);
        t[0xd1] = group("Ev,1", 0, SHIFT);
        t[0xd2] = group("Eb,CL", 0, SHIFT);
        t[0xd3] = group("Ev,CL", 0, SHIFT);
        op(t, 0xd4, Op.AAM, "Ib", I64);
        op(t, 0xd5, Op.AAD, "Ib", I64);
        op(t, 0xd6, Op.SALC, "", I64);
        op(t, 0xd7, Op.XLAT, "");
        for (int i = 0xd8; i <= 0xdf; i++) {
            op(t, i, Op.ESC, "", MODRM);
        }
        op(t, 0xe0, Op.LOOPNE, "Jb", F64);
        op(t, 0xe1, Op.LOOPE, "Jb", F64);
        op(t, 0xe2, Op.LOOP, "Jb", F64);
        op(t, 0xe3, Op.JCXZ, "Jb", F64);
        op(t, 0xe4, Op.IN, "AL,Ib");
        op(t, 0xe5, Op.IN, "eAX,Ib");
        op(t, 0xe6, Op.OUT, "Ib,AL");
        op(t, 0xe7, Op.OUT, "Ib,eAX");
        op(t, 0xe8, Op.CALL, "Jz", F64);
        op(t, 0xe9, Op.JMP, "Jz", F64);
        op(t, 0xea, Op.JMPF, "Ap", I64);
        op(t, 0xeb, Op.JMP, "Jb", F64);
        op(t, 0xec, Op.IN, "AL,DX");
        op(t, 0xed, Op.IN, "eAX,DX");
        op(t, 0xee, Op.OUT, "DX,AL");
        op(t, 0xef, Op.OUT, "DX,eAX");
        op(t, 0xf1, Op.INT1, "");
        op(t, 0xf4, Op.HLT, "");
        op(t, 0xf5, Op.CMC, "");
        t[0xf6] = groupOf(e(Op.TEST, "Eb,Ib"), e(Op.TEST, "Eb,Ib"), e(Op.NOT, "Eb", LOCK), e(Op.NEG, "Eb", LOCK),
                e(Op.MUL, "Eb"), e(Op.IMUL, "Eb"), e(Op.DIV, "Eb"), e(Op.IDIV, "Eb"));
        t[0xf7] = groupOf(e(Op.TEST, "Ev,Iz"), e(Op.TEST, "Ev,Iz"), e(Op.NOT, "Ev", LOCK), e(Op.NEG, "Ev", LOCK),
                e(Op.MUL, "Ev"), e(Op.IMUL, "Ev"), e(Op.DIV, "Ev"), e(Op.IDIV, "Ev"));
        op(t, 0xf8, Op.CLC, "");
        op(t, 0xf9, Op.STC, "");
        op(t, 0xfa, Op.CLI, "");
        op(t, 0xfb, Op.STI, "");
        op(t, 0xfc, Op.CLD, "");
        op(t, 0xfd, Op.STD, "");
        t[0xfe] = groupOf(e(Op.INC, "Eb", LOCK), e(Op.DEC, "Eb", LOCK), null, null, null, null, null, null);
        t[0xff] = groupOf(e(Op.INC, "Ev", LOCK), e(Op.DEC, "Ev", LOCK), e(Op.CALL, "Ev", F64), e(Op.CALLF, "Mp"),
                e(Op.JMP, "Ev", F64), e(Op.JMPF, "Mp"), e(Op.PUSH, "Ev", D64), null);

        OpcodeEntry[] u = MAP_0F;
        // Table A-3 and the groups of Table A-6.
        u[0x00] = groupOf(e(Op.SLDT, "Ew"), e(Op.STR, "Ew"), e(Op.LLDT, "Ew"), e(Op.LTR, "Ew"),
                e(Op.VERR, "Ew"), e(Op.VERW, "Ew"), null, null);
        u[0x01] = groupOf(e(Op.SGDT, "Ms"), e(Op.SIDT, "Ms"), e(Op.LGDT, "Ms"), e(Op.LIDT, "Ms"),
                e(Op.SMSW, "Ew"), null, e(Op.LMSW, "Ew"), e(Op.INVLPG, "Mb"));
        u[0x01].byRegMod3 = new OpcodeEntry[] {
            null,
            byRm(e(Op.MONITOR, ""), e(Op.MWAIT, ""), null, null, null, null, null, null),
            byRm(e(Op.XGETBV, ""), null, null, null, null, null, null, null),
            null,
            e(Op.SMSW, "Ev"),
            null,
            e(Op.LMSW, "Ew"),
            byRm(e(Op.SWAPGS, "", O64), e(Op.RDTSCP, ""), null, null, null, null, null, null),
        };
        op(u, 0x02, Op.LAR, "Gv,Ew");
        op(u, 0x03, Op.LSL, "Gv,Ew");
        op(u, 0x05, Op.SYSCALL, "", O64);
        op(u, 0x06, Op.CLTS, "");
        op(u, 0x07, Op.SYSRET, "", O64);
        op(u, 0x08, Op.INVD, "");
        op(u, 0x09, Op.WBINVD, "");
        op(u, 0x0b, Op.UD2, "");
        op(u, 0x0d, Op.PREFETCH, "Ev", MEM_ONLY);
        for (int i = 0x18; i <= 0x1f; i++) {
            op(u, i, Op.NOP, "Ev"); // hint NOPs and the prefetch group 16 (Table A-3 note)
        }
        op(u, 0x20, Op.MOVCR, "Ry,Cy", REG_ONLY);
        op(u, 0x21, Op.MOVDR, "Ry,Dy", REG_ONLY);
        op(u, 0x22, Op.MOVCR, "Cy,Ry", REG_ONLY);
        op(u, 0x23, Op.MOVDR, "Dy,Ry", REG_ONLY);
        op(u, 0x30, Op.WRMSR, "");
        op(u, 0x31, Op.RDTSC, "");
        op(u, 0x32, Op.RDMSR, "");
        op(u, 0x33, Op.RDPMC, "");
        op(u, 0x34, Op.SYSENTER, "");
        op(u, 0x35, Op.SYSEXIT, "");
        for (int cc = 0; cc < 16; cc++) {
            op(u, 0x40 + cc, Op.CMOVCC, "Gv,Ev");
            op(u, 0x80 + cc, Op.JCC, "Jz", F64);
            op(u, 0x90 + cc, Op.SETCC, "Eb");
        }
        op(u, 0xa0, Op.PUSH, "FS", D64);
        op(u, 0xa1, Op.POP, "FS", D64);
        op(u, 0xa2, Op.CPUID, "");
        op(u, 0xa3, Op.BT, "Ev,Gv");
        op(u, 0xa4, Op.SHLD, "Ev,Gv,Ib");
        op(u, 0xa5, Op.SHLD, "Ev,Gv,CL");
        op(u, 0xa8, Op.PUSH, "GS", D64);
        op(u, 0xa9, Op.POP, "GS", D64);
        op(u, 0xaa, Op.RSM, "");
        op(u, 0xab, Op.BTS, "Ev,Gv", LOCK);
        op(u, 0xac, Op.SHRD, "Ev,Gv,Ib");
        op(u, 0xad, Op.SHRD, "Ev,Gv,CL");
        u[0xae] = groupOf(e(Op.FXSAVE, "M"), e(Op.FXRSTOR, "M"), e(Op.LDMXCSR, "Md"), e(Op.STMXCSR, "Md"),
                null, null, null, e(Op.CLFLUSH, "Mb"));
        u[0xae].byRegMod3 = new OpcodeEntry[] {null, null, null, null, null,
            e(Op.LFENCE, "", MODRM), e(Op.MFENCE, "", MODRM), e(Op.SFENCE, "", MODRM)};
        op(u, 0xaf, Op.IMUL, "Gv,Ev");
        op(u, 0xb0, Op.CMPXCHG, "Eb,Gb", LOCK);
        op(u, 0xb1, Op.CMPXCHG, "Ev,Gv", LOCK);
        op(u, 0xb2, Op.LSS, "Gv,Mp");
        op(u, 0xb3, Op.BTR, "Ev,Gv", LOCK);
        op(u, 0xb4, Op.LFS, "Gv,Mp");
        op(u, 0xb5, Op.LGS, "Gv,Mp");
        op(u, 0xb6, Op.MOVZX, "Gv,Eb");
        op(u, 0xb7, Op.MOVZX, "Gv,Ew");
        u[0xb8] = byPrefix(null, null, e(Op.POPCNT, "Gv,Ev"), null);
        u[0xba] = groupOf(null, null, null, null, e(Op.BT, "Ev,Ib"), e(Op.BTS, "Ev,Ib", LOCK),
                e(Op.BTR, "Ev,Ib", LOCK), e(Op.BTC, "Ev,Ib", LOCK));
        op(u, 0xbb, Op.BTC, "Ev,Gv", LOCK);
        u[0xbc] = byPrefix(e(Op.BSF, "Gv,Ev"), e(Op.BSF, "Gv,Ev"), e(Op.TZCNT, "Gv,Ev"), e(Op.BSF, "Gv,Ev"));
        u[0xbd] = byPrefix(e(Op.BSR, "Gv,Ev"), e(Op.BSR, "Gv,Ev"), e(Op.LZCNT, "Gv,Ev"), e(Op.BSR, "Gv,Ev"));
        op(u, 0xbe, Op.MOVSX, "Gv,Eb");
        op(u, 0xbf, Op.MOVSX, "Gv,Ew");
        op(u, 0xc0, Op.XADD, "Eb,Gb", LOCK);
        op(u, 0xc1, Op.XADD, "Ev,Gv", LOCK);
        u[0xc7] = groupOf(null, e(Op.CMPXCHG8B, "Mq", LOCK), null, null, null, null, null, null);
        for (int r = 0; r < 8; r++) {
            op(u, 0xc8 + r, Op.BSWAP, "Zv");
        }

        // Table A-4: of the 0F38 map the integer core implements MOVBE (no mandatory prefix).
        MAP_0F38[0xf0] = byPrefix(e(Op.MOVBE, "Gv,Mv"), e(Op.MOVBE, "Gv,Mv"), null, null);
        MAP_0F38[0xf1] = byPrefix(e(Op.MOVBE, "Mv,Gv"), e(Op.MOVBE, "Mv,Gv"), null, null);

        SseTable.install(MAP_0F);
    }
}
