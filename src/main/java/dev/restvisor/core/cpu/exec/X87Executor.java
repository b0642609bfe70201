package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.FpuState;

/**
 * The x87 control and state instructions an operating system uses (SDM Vol. 1 8.1, Vol. 2 by mnemonic):
 * FNINIT, FNCLEX, FNSTCW, FLDCW, FNSTSW (memory and AX), FNSTENV, FLDENV, FNSAVE, FRSTOR, FNOP and FWAIT,
 * plus FXSAVE/FXRSTOR and LDMXCSR/STMXCSR. x87 arithmetic is not implemented: every other escape opcode is
 * #UD, after the CR0.EM/TS checks (#NM). The environment images use the protected-mode layouts
 * (SDM Vol. 1 Figures 8-9 and 8-10) in every mode.
 */
public final class X87Executor {
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
        int reg = d.modrmReg & 7;
        int modrm = d.mod << 6 | reg << 3 | (d.modrmRm & 7);
        if (d.mod == 3) {
            switch (esc << 8 | modrm) {
                case 0xdbe3 -> f.initX87();
                case 0xdbe2 -> f.fsw &= ~0x80ff;
                case 0xdfe0 -> x.setReg(0, 2, f.fsw);
                case 0xd9d0 -> { }
                default -> throw GuestFault.ud();
            }
            return;
        }
        int envSize = d.opSize == 2 ? 14 : 28;
        switch (esc << 8 | reg) {
            case 0xd907 -> x.write(d.memorySegment, x.ea, 2, f.fcw);
            case 0xd905 -> loadControlWord(f, (int) x.read(d.memorySegment, x.ea, 2));
            case 0xdd07 -> x.write(d.memorySegment, x.ea, 2, f.fsw);
            case 0xd906 -> {
                storeEnvironment(x, d);
                f.fcw |= 0x3f;
            }
            case 0xd904 -> loadEnvironment(x, d);
            case 0xdd06 -> {
                storeEnvironment(x, d);
                for (int i = 0; i < 8; i++) {
                    storeRegister(x, d, envSize + 10L * i, f, physical(f, i));
                }
                f.initX87();
            }
            case 0xdd04 -> {
                loadEnvironment(x, d);
                for (int i = 0; i < 8; i++) {
                    loadRegister(x, d, envSize + 10L * i, f, physical(f, i));
                }
            }
            default -> throw GuestFault.ud();
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

    private static void storeEnvironment(Interpreter x, DecodedInstruction d) {
        FpuState f = x.state.fpu;
        int seg = d.memorySegment;
        if (d.opSize == 2) {
            x.write(seg, offset(x, d, 0), 2, f.fcw);
            x.write(seg, offset(x, d, 2), 2, f.fsw);
            x.write(seg, offset(x, d, 4), 2, f.ftw);
            x.write(seg, offset(x, d, 6), 2, f.fip);
            x.write(seg, offset(x, d, 8), 2, f.fcs);
            x.write(seg, offset(x, d, 10), 2, f.fdp);
            x.write(seg, offset(x, d, 12), 2, f.fds);
        } else {
            x.write(seg, offset(x, d, 0), 4, f.fcw | 0xffff0000L);
            x.write(seg, offset(x, d, 4), 4, f.fsw | 0xffff0000L);
            x.write(seg, offset(x, d, 8), 4, f.ftw | 0xffff0000L);
            x.write(seg, offset(x, d, 12), 4, f.fip);
            x.write(seg, offset(x, d, 16), 4, (f.fcs & 0xffffL) | (long) (f.fop & 0x7ff) << 16);
            x.write(seg, offset(x, d, 20), 4, f.fdp);
            x.write(seg, offset(x, d, 24), 4, f.fds | 0xffff0000L);
        }
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

    private static void storeRegister(Interpreter x, DecodedInstruction d, long at, FpuState f, int reg) {
        x.write(d.memorySegment, offset(x, d, at), 8, f.stMantissa[reg]);
        x.write(d.memorySegment, offset(x, d, at + 8), 2, f.stExponent[reg]);
    }

    private static void loadRegister(Interpreter x, DecodedInstruction d, long at, FpuState f, int reg) {
        f.stMantissa[reg] = x.read(d.memorySegment, offset(x, d, at), 8);
        f.stExponent[reg] = (int) x.read(d.memorySegment, offset(x, d, at + 8), 2);
    }

    // ------------------------------------------------------------------ FXSAVE / FXRSTOR / LDMXCSR / STMXCSR

    private static void checkFxsr(CpuState s) {
        if ((s.cr0 & (ControlRegisters.CR0_EM | ControlRegisters.CR0_TS)) != 0) {
            throw new GuestFault(GuestFault.NM, -1);
        }
    }

    private static void checkAligned(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        long lin = s.mode64() && d.memorySegment < 4 ? x.ea : s.seg[d.memorySegment].base() + x.ea;
        if ((lin & 15) != 0) {
            throw GuestFault.gp(0);
        }
    }

    /** FXSAVE (SDM Vol. 2A "FXSAVE", Table 3-53/3-56): REX.W selects the 64-bit FIP/FDP layout. */
    static void fxsave(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        checkFxsr(s);
        checkAligned(x, d);
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
        checkFxsr(s);
        checkAligned(x, d);
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
            // a non-empty register is tagged valid; FXRSTOR does not reclassify zero or special values here
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
        for (int i = 0; i < 8; i++) {
            loadRegister(x, d, 32 + 16L * i, f, physical(f, i));
        }
        System.arraycopy(xmm, 0, f.xmm, 0, 2 * count);
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
