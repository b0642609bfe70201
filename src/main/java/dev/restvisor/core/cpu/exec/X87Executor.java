package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.decode.X87Table;
import dev.restvisor.core.cpu.fpu.X87Unit;
import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.FpuState;
import dev.restvisor.core.cpu.state.Rflags;

/**
 * The x87 FPU instructions, all escape opcodes D8-DF and FWAIT (SDM Vol. 1 ch. 8, Vol. 2 by mnemonic), and
 * FXSAVE/FXRSTOR and LDMXCSR/STMXCSR. The forms come from {@link X87Table}; this class checks CR0.EM/TS
 * (#NM) and pending unmasked exceptions (#MF before every waiting instruction: all but FNINIT, FNCLEX,
 * FNSTCW, FNSTSW, FNSTENV and FNSAVE), reads and writes the memory operand, and records the last
 * instruction and operand pointers and FOP for the non-control instructions (8.1.8, 8.1.9). The arithmetic
 * and the register stack are {@link X87Unit} and {@link dev.restvisor.core.cpu.fpu.X87Math}. An unmasked
 * exception is reported as #MF whatever CR0.NE (the external FERR# path of NE = 0 is not modelled). The
 * environment images use the protected-mode layouts (SDM Vol. 1 Figures 8-9 and 8-10) in every mode.
 */
public final class X87Executor {
    /** FCMOVB, FCMOVE, FCMOVBE, FCMOVU as Jcc condition numbers (B, E, BE, P). */
    private static final int[] FCMOV_CONDITIONS = {2, 4, 6, 10};

    private X87Executor() {
    }

    /** Family.X87: the escape opcodes D8-DF and FWAIT. */
    public static void execute(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        FpuState f = s.fpu;
        if (d.op == Op.FWAIT) {
            if ((s.cr0 & ControlRegisters.CR0_TS) != 0 && (s.cr0 & ControlRegisters.CR0_MP) != 0) {
                throw new GuestFault(GuestFault.NM, -1);
            }
            if ((f.fsw & 0x80) != 0) {
                throw new GuestFault(GuestFault.MF, -1);
            }
            return;
        }
        if ((s.cr0 & (ControlRegisters.CR0_EM | ControlRegisters.CR0_TS)) != 0) {
            throw new GuestFault(GuestFault.NM, -1);
        }
        int esc = d.opcode & 0xff;
        int modrm = d.mod << 6 | (d.modrmReg & 7) << 3 | (d.modrmRm & 7);
        X87Table.Form form = X87Table.lookup(esc, modrm);
        if (form == null) {
            throw GuestFault.ud();
        }
        X87Unit u = x.x87;
        int i = d.modrmRm & 7;
        int envSize = d.opSize == 2 ? 14 : 28;
        switch (form.kind()) {
            case FNINIT -> f.initX87();
            case FNCLEX -> f.fsw &= ~0x80ff;
            case FNSTCW -> x.write(d.memorySegment, x.ea, 2, f.fcw);
            case FNSTSW -> {
                if (form.operand() == X87Table.Operand.AX) {
                    x.setReg(0, 2, f.fsw);
                } else {
                    x.write(d.memorySegment, x.ea, 2, f.fsw);
                }
            }
            case FNSTENV -> {
                storeEnvironment(x, d);
                f.fcw |= 0x3f;
            }
            case FNSAVE -> {
                storeEnvironment(x, d);
                storeRegisters(x, d, envSize, 10);
                f.initX87();
            }
            default -> {
                if (u.pending()) {
                    throw new GuestFault(GuestFault.MF, -1);
                }
                waiting(x, d, form, u, i, envSize);
            }
        }
    }

    private static void waiting(Interpreter x, DecodedInstruction d, X87Table.Form form, X87Unit u, int i,
            int envSize) {
        FpuState f = x.state.fpu;
        switch (form.kind()) {
            case FLDCW -> loadControlWord(f, (int) x.read(d.memorySegment, x.ea, 2));
            case FLDENV -> {
                loadEnvironment(x, d);
                u.retag();
            }
            case FRSTOR -> {
                loadEnvironment(x, d);
                loadRegisters(x, d, envSize, 10);
                u.retag();
            }
            default -> {
                pointers(x, d);
                compute(x, d, form, u, i);
            }
        }
    }

    /** The last instruction pointer, opcode and (memory forms) operand pointer (SDM Vol. 1 8.1.8, 8.1.9). */
    private static void pointers(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        FpuState f = s.fpu;
        f.fip = s.rip;
        f.fcs = s.seg[1].selector();
        f.fop = (d.opcode & 7) << 8 | d.mod << 6 | (d.modrmReg & 7) << 3 | (d.modrmRm & 7);
        if (d.mod != 3) {
            f.fdp = x.ea;
            f.fds = s.seg[d.memorySegment].selector();
        }
    }

    private static void compute(Interpreter x, DecodedInstruction d, X87Table.Form form, X87Unit u, int i) {
        X87Table.Operand operand = form.operand();
        switch (form.kind()) {
            case ARITH -> {
                if (operand.memory()) {
                    source(x, d, operand);
                    u.arithmeticSource(form.arg());
                } else {
                    u.arithmetic(form.arg(), i, operand == X87Table.Operand.STI_ST, form.pops());
                }
            }
            case COM -> {
                if (operand.memory()) {
                    source(x, d, operand);
                    u.compare(-1, false, form.pops());
                } else {
                    u.compare(form.pops() == 2 ? 1 : i, form.arg() == 1, form.pops());
                }
            }
            case COMI -> {
                int zpc = u.compareFlags(i, form.arg() == 1, form.pops());
                if (zpc >= 0) {
                    long mask = Rflags.OF | Rflags.SF | Rflags.ZF | Rflags.AF | Rflags.PF | Rflags.CF;
                    x.flags.setAll((x.flags.status() & ~mask) | zpc);
                }
            }
            case LOAD -> {
                if (operand.memory()) {
                    source(x, d, operand);
                    u.loadSource(operand == X87Table.Operand.M32FP || operand == X87Table.Operand.M64FP);
                } else {
                    u.loadRegister(i);
                }
            }
            case BLD -> {
                long lo = x.read(d.memorySegment, x.ea, 8);
                int hi = (int) x.read(d.memorySegment, offset(x, d, 8), 2);
                u.loadBcd(lo, hi);
                u.loadSource(false);
            }
            case STORE -> {
                if (!operand.memory()) {
                    u.storeRegister(i, form.pops(), form.arg() == 1);
                } else {
                    int fsw = x.state.fpu.fsw, ftw = x.state.fpu.ftw;
                    if (u.storeFloat(operand.size, form.pops())) {
                        write(x, d, operand.size, u, fsw, ftw);
                    }
                }
            }
            case ISTORE, ISTTP -> {
                int fsw = x.state.fpu.fsw, ftw = x.state.fpu.ftw;
                if (u.storeInteger(operand.size, form.kind() == X87Table.Kind.ISTTP, form.pops())) {
                    write(x, d, operand.size, u, fsw, ftw);
                }
            }
            case BSTP -> {
                int fsw = x.state.fpu.fsw, ftw = x.state.fpu.ftw;
                if (u.storeBcd()) {
                    write(x, d, 10, u, fsw, ftw);
                }
            }
            case XCH -> u.exchange(i);
            case CMOV -> {
                boolean c = x.flags.condition(FCMOV_CONDITIONS[form.arg() & 3]);
                u.conditionalMove(i, (form.arg() & 4) != 0 ? !c : c);
            }
            case FREE -> u.free(i, form.pops());
            case NOP -> { }
            case CHS -> u.sign(true);
            case ABS -> u.sign(false);
            case TST -> u.test();
            case XAM -> u.examine();
            case CONST -> u.loadConstant(form.arg());
            case F2XM1 -> u.unary(X87Unit.F2XM1);
            case FSQRT -> u.unary(X87Unit.SQRT);
            case FRNDINT -> u.unary(X87Unit.RNDINT);
            case FSIN -> u.unary(X87Unit.SIN);
            case FCOS -> u.unary(X87Unit.COS);
            case FSINCOS -> u.pushingTrig(false);
            case FPTAN -> u.pushingTrig(true);
            case FYL2X -> u.binaryStack(X87Unit.YL2X);
            case FYL2XP1 -> u.binaryStack(X87Unit.YL2XP1);
            case FPATAN -> u.binaryStack(X87Unit.PATAN);
            case FPREM -> u.binaryStack(X87Unit.PREM);
            case FPREM1 -> u.binaryStack(X87Unit.PREM1);
            case FSCALE -> u.binaryStack(X87Unit.SCALE);
            case FXTRACT -> u.extract();
            case FDECSTP -> u.incrementTop(-1);
            case FINCSTP -> u.incrementTop(1);
            default -> throw GuestFault.ud();
        }
    }

    /** Reads and converts the memory operand of an arithmetic, compare or load form. */
    private static void source(Interpreter x, DecodedInstruction d, X87Table.Operand operand) {
        int seg = d.memorySegment;
        switch (operand) {
            case M32FP -> x.x87.loadSingle((int) x.read(seg, x.ea, 4));
            case M64FP -> x.x87.loadDouble(x.read(seg, x.ea, 8));
            case M80FP -> {
                long m = x.read(seg, x.ea, 8);
                x.x87.loadExtended((int) x.read(seg, offset(x, d, 8), 2), m);
            }
            case M16INT -> x.x87.loadInteger((short) x.read(seg, x.ea, 2));
            case M32INT -> x.x87.loadInteger((int) x.read(seg, x.ea, 4));
            case M64INT -> x.x87.loadInteger(x.read(seg, x.ea, 8));
            default -> throw GuestFault.ud();
        }
    }

    /**
     * Writes a store's image; a fault on the write restores FSW and FTW (TOP, tags, flags) so the instruction
     * restarts from its original state.
     */
    private static void write(Interpreter x, DecodedInstruction d, int size, X87Unit u, int fsw, int ftw) {
        try {
            if (size == 10) {
                x.write(d.memorySegment, offset(x, d, 8), 2, u.outHigh);
                x.write(d.memorySegment, x.ea, 8, u.out);
            } else {
                x.write(d.memorySegment, x.ea, size, u.out);
            }
        } catch (GuestFault | ExitSignal e) {
            x.state.fpu.fsw = fsw;
            x.state.fpu.ftw = ftw;
            throw e;
        }
    }

    /** FLDCW: a newly unmasked pending exception sets the summary bits ES and B of FSW. */
    private static void loadControlWord(FpuState f, int cw) {
        f.fcw = cw & 0x1f7f | 0x40;
        updateSummary(f);
    }

    private static void updateSummary(FpuState f) {
        if ((f.fsw & ~f.fcw & 0x3f) != 0) {
            f.fsw |= 0x8080;
        } else {
            f.fsw &= ~0x8080;
        }
    }

    private static int physical(FpuState f, int stackIndex) {
        return ((f.fsw >>> 11) + stackIndex) & 7;
    }

    private static long offset(Interpreter x, DecodedInstruction d, long delta) {
        return (x.ea + delta) & Interpreter.mask(d.addrSize);
    }

    /**
     * FNSTENV/FNSAVE: the environment in the 16-bit (2-byte fields) or 32-bit (4-byte fields, the upper halves of
     * FCW, FSW, FTW and FDS reserved as ones, FOP beside FCS) layout of SDM Vol. 1 Figures 8-9 and 8-10.
     */
    private static void storeEnvironment(Interpreter x, DecodedInstruction d) {
        FpuState f = x.state.fpu;
        int seg = d.memorySegment;
        int step = d.opSize == 2 ? 2 : 4;
        long reserved = step == 4 ? 0xffff0000L : 0;
        long csop = step == 4 ? (f.fcs & 0xffffL) | (long) (f.fop & 0x7ff) << 16 : f.fcs;
        x.write(seg, offset(x, d, 0), step, f.fcw | reserved);
        x.write(seg, offset(x, d, step), step, f.fsw | reserved);
        x.write(seg, offset(x, d, 2L * step), step, f.ftw | reserved);
        x.write(seg, offset(x, d, 3L * step), step, f.fip);
        x.write(seg, offset(x, d, 4L * step), step, csop);
        x.write(seg, offset(x, d, 5L * step), step, f.fdp);
        x.write(seg, offset(x, d, 6L * step), step, f.fds | reserved);
    }

    private static void loadEnvironment(Interpreter x, DecodedInstruction d) {
        FpuState f = x.state.fpu;
        int seg = d.memorySegment;
        int step = d.opSize == 2 ? 2 : 4;
        int fcw = (int) x.read(seg, offset(x, d, 0), 2);
        int fsw = (int) x.read(seg, offset(x, d, step), 2);
        int ftw = (int) x.read(seg, offset(x, d, 2L * step), 2);
        long fip = x.read(seg, offset(x, d, 3L * step), step);
        long csop = x.read(seg, offset(x, d, 4L * step), step);
        long fdp = x.read(seg, offset(x, d, 5L * step), step);
        int fds = (int) x.read(seg, offset(x, d, 6L * step), 2);
        f.fsw = fsw;
        f.ftw = ftw;
        f.fip = fip;
        f.fcs = (int) csop & 0xffff;
        f.fop = step == 4 ? (int) (csop >>> 16) & 0x7ff : f.fop;
        f.fdp = fdp;
        f.fds = fds;
        loadControlWord(f, fcw);
    }

    /** ST(0)..ST(7) as 80-bit images from offset at, stride bytes apart (FNSAVE: 10, SDM Vol. 1 Figure 8-13). */
    private static void storeRegisters(Interpreter x, DecodedInstruction d, long at, int stride) {
        FpuState f = x.state.fpu;
        for (int k = 0; k < 8; k++) {
            storeRegister(x, d, at + (long) stride * k, f, physical(f, k));
        }
    }

    /** ST(0)..ST(7) from 80-bit images, as {@link #storeRegisters} lays them out (FRSTOR, FXRSTOR: stride 16). */
    private static void loadRegisters(Interpreter x, DecodedInstruction d, long at, int stride) {
        FpuState f = x.state.fpu;
        for (int k = 0; k < 8; k++) {
            loadRegister(x, d, at + (long) stride * k, f, physical(f, k));
        }
    }

    private static void storeRegister(Interpreter x, DecodedInstruction d, long at, FpuState f, int reg) {
        x.write(d.memorySegment, offset(x, d, at), 8, f.stMantissa[reg]);
        x.write(d.memorySegment, offset(x, d, at + 8), 2, f.stExponent[reg]);
    }

    private static void loadRegister(Interpreter x, DecodedInstruction d, long at, FpuState f, int reg) {
        f.stMantissa[reg] = x.read(d.memorySegment, offset(x, d, at), 8);
        f.stExponent[reg] = (int) x.read(d.memorySegment, offset(x, d, at + 8), 2);
    }

    // ------------------------------------------------------------------ FXSAVE / FXRSTOR / LDMXCSR / STMXCSR

    /** The faults of FXSAVE and FXRSTOR before any access: #NM with CR0.EM or CR0.TS, #GP(0) unless 16-byte aligned. */
    private static void checkFxsr(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        if ((s.cr0 & (ControlRegisters.CR0_EM | ControlRegisters.CR0_TS)) != 0) {
            throw new GuestFault(GuestFault.NM, -1);
        }
        long lin = s.mode64() && d.memorySegment < 4 ? x.ea : s.seg[d.memorySegment].base() + x.ea;
        if ((lin & 15) != 0) {
            throw GuestFault.gp(0);
        }
    }

    /** FXSAVE (SDM Vol. 2A "FXSAVE", Table 3-53/3-56): REX.W selects the 64-bit FIP/FDP layout. */
    static void fxsave(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        checkFxsr(x, d);
        FpuState f = s.fpu;
        int seg = d.memorySegment;
        int abridged = 0;
        for (int i = 0; i < 8; i++) {
            if (((f.ftw >>> (2 * i)) & 3) != 3) {
                abridged |= 1 << i;
            }
        }
        x.write(seg, offset(x, d, 0), 2, f.fcw);
        x.write(seg, offset(x, d, 2), 2, f.fsw);
        x.write(seg, offset(x, d, 4), 2, abridged);
        x.write(seg, offset(x, d, 6), 2, f.fop);
        if (d.rexW()) {
            x.write(seg, offset(x, d, 8), 8, f.fip);
            x.write(seg, offset(x, d, 16), 8, f.fdp);
        } else {
            x.write(seg, offset(x, d, 8), 4, f.fip);
            x.write(seg, offset(x, d, 12), 4, f.fcs);
            x.write(seg, offset(x, d, 16), 4, f.fdp);
            x.write(seg, offset(x, d, 20), 4, f.fds);
        }
        x.write(seg, offset(x, d, 24), 4, f.mxcsr);
        x.write(seg, offset(x, d, 28), 4, FpuState.MXCSR_MASK);
        for (int i = 0; i < 8; i++) {
            storeRegister(x, d, 32 + 16L * i, f, physical(f, i));
            x.write(seg, offset(x, d, 32 + 16L * i + 10), 2, 0);
            x.write(seg, offset(x, d, 32 + 16L * i + 12), 4, 0);
        }
        int count = s.mode64() ? 16 : 8;
        for (int i = 0; i < count; i++) {
            x.write(seg, offset(x, d, 160 + 16L * i), 8, f.xmm[2 * i]);
            x.write(seg, offset(x, d, 168 + 16L * i), 8, f.xmm[2 * i + 1]);
        }
    }

    static void fxrstor(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        checkFxsr(x, d);
        FpuState f = s.fpu;
        int seg = d.memorySegment;
        int mxcsr = (int) x.read(seg, offset(x, d, 24), 4);
        if ((mxcsr & ~FpuState.MXCSR_MASK) != 0) {
            throw GuestFault.gp(0);
        }
        int count = s.mode64() ? 16 : 8;
        long[] xmm = new long[2 * count];
        for (int i = 0; i < count; i++) {
            xmm[2 * i] = x.read(seg, offset(x, d, 160 + 16L * i), 8);
            xmm[2 * i + 1] = x.read(seg, offset(x, d, 168 + 16L * i), 8);
        }
        f.fcw = (int) x.read(seg, offset(x, d, 0), 2);
        f.fsw = (int) x.read(seg, offset(x, d, 2), 2);
        int abridged = (int) x.read(seg, offset(x, d, 4), 1);
        int ftw = 0;
        for (int i = 0; i < 8; i++) {
            ftw |= ((abridged >>> i & 1) != 0 ? 0 : 3) << (2 * i);
        }
        f.ftw = ftw;
        f.fop = (int) x.read(seg, offset(x, d, 6), 2) & 0x7ff;
        if (d.rexW()) {
            f.fip = x.read(seg, offset(x, d, 8), 8);
            f.fdp = x.read(seg, offset(x, d, 16), 8);
        } else {
            f.fip = x.read(seg, offset(x, d, 8), 4);
            f.fcs = (int) x.read(seg, offset(x, d, 12), 2);
            f.fdp = x.read(seg, offset(x, d, 16), 4);
            f.fds = (int) x.read(seg, offset(x, d, 20), 2);
        }
        f.mxcsr = mxcsr;
        loadRegisters(x, d, 32, 16);
        System.arraycopy(xmm, 0, f.xmm, 0, 2 * count);
        // the non-empty registers are tagged by their contents (SDM Vol. 1 Table 10-2, FXRSTOR)
        x.x87.retag();
    }

    /** LDMXCSR/STMXCSR: #UD with CR0.EM or without CR4.OSFXSR, #NM with CR0.TS. */
    static void checkSse(CpuState s) {
        if ((s.cr0 & ControlRegisters.CR0_EM) != 0 || (s.cr4 & ControlRegisters.CR4_OSFXSR) == 0) {
            throw GuestFault.ud();
        }
        if ((s.cr0 & ControlRegisters.CR0_TS) != 0) {
            throw new GuestFault(GuestFault.NM, -1);
        }
    }

    static void ldmxcsr(Interpreter x, DecodedInstruction d) {
        checkSse(x.state);
        int v = (int) x.read(d.memorySegment, x.ea, 4);
        if ((v & ~FpuState.MXCSR_MASK) != 0) {
            throw GuestFault.gp(0);
        }
        x.state.fpu.mxcsr = v;
    }

    static void stmxcsr(Interpreter x, DecodedInstruction d) {
        checkSse(x.state);
        x.write(d.memorySegment, x.ea, 4, x.state.fpu.mxcsr);
    }
}
