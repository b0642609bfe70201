package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Op;
import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.CpuidModel;
import dev.restvisor.core.cpu.state.DescriptorTable;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;

import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_CREG;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_DREG;
import static dev.restvisor.core.cpu.decode.DecodedInstruction.K_MEM;
import static dev.restvisor.core.cpu.state.ControlRegisters.CR0_PE;
import static dev.restvisor.core.cpu.state.ControlRegisters.CR0_PG;
import static dev.restvisor.core.cpu.state.ControlRegisters.CR4_PAE;

/**
 * The system instructions of {@code Family.SYSTEM} except HLT (SDM Vol. 2 by mnemonic, Vol. 3A 2.8):
 * descriptor-table registers, LDTR/TR, LAR/LSL/VERR/VERW/ARPL, control and debug registers with the
 * mode-switch rules of Vol. 3A 9.8-9.9, TLB and cache control, CPUID, MSRs, the TSC, and the fast
 * system calls SYSCALL/SYSRET, SYSENTER/SYSEXIT and SWAPGS.
 */
public final class SystemOps {
    /** CR4 bits a guest may set: those whose features the CPUID model reports. */
    static final long CR4_SUPPORTED = ControlRegisters.CR4_TSD | ControlRegisters.CR4_DE | ControlRegisters.CR4_PSE
            | ControlRegisters.CR4_PAE | ControlRegisters.CR4_PGE | ControlRegisters.CR4_PCE
            | ControlRegisters.CR4_OSFXSR | ControlRegisters.CR4_OSXMMEXCPT;

    private SystemOps() {
    }

    public static void execute(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        switch (d.op) {
            case LGDT, LIDT -> loadTableRegister(x, d);
            case SGDT, SIDT -> storeTableRegister(x, d);
            case LLDT -> lldt(x, (int) x.readOp(d, 0) & 0xffff);
            case LTR -> ltr(x, (int) x.readOp(d, 0) & 0xffff);
            case SLDT -> storeSelector(x, d, s.ldt.selector());
            case STR -> storeSelector(x, d, s.tr.selector());
            case LAR, LSL -> larLsl(x, d);
            case VERR, VERW -> verify(x, d);
            case ARPL -> arpl(x, d);
            case SMSW -> x.writeOp(d, 0, d.kind[0] == K_MEM ? s.cr0 & 0xffff : s.cr0 & Interpreter.mask(d.size[0]));
            case LMSW -> {
                requireCpl0(x);
                // LMSW loads PE, MP, EM, TS; it can set PE but never clear it
                long v = x.readOp(d, 0) & 0xf;
                writeCr0(x, (s.cr0 & ~0xeL) | v | (s.cr0 & CR0_PE));
            }
            case MOVCR -> moveControl(x, d);
            case MOVDR -> moveDebug(x, d);
            case CLTS -> {
                requireCpl0(x);
                s.cr0 &= ~ControlRegisters.CR0_TS;
            }
            case INVLPG -> {
                requireCpl0(x);
                Segment seg = s.seg[d.memorySegment];
                long base = s.mode64() && d.memorySegment < SegmentRegister.FS ? 0 : seg.base();
                x.mmu.invlpg(base + x.ea);
            }
            case WBINVD, INVD -> requireCpl0(x);
            case CLFLUSH -> x.read(d.memorySegment, x.ea, 1);
            case CPUID -> cpuid(x, d);
            case RDMSR -> {
                requireCpl0(x);
                long v = MsrAccess.read(s, x.config, (int) s.gpr[1]);
                x.setReg(0, 4, v & 0xffffffffL);
                x.setReg(2, 4, v >>> 32);
            }
            case WRMSR -> {
                requireCpl0(x);
                long v = (s.gpr[0] & 0xffffffffL) | (s.gpr[2] << 32);
                if (MsrAccess.write(s, x.config, (int) s.gpr[1], v, false)) {
                    x.mmu.flushAll();
                }
            }
            case RDTSC -> {
                checkTsd(x);
                long t = MsrAccess.tsc(s, x.config);
                x.setReg(0, 4, t & 0xffffffffL);
                x.setReg(2, 4, t >>> 32);
            }
            case RDTSCP -> {
                checkTsd(x);
                long t = MsrAccess.tsc(s, x.config);
                x.setReg(0, 4, t & 0xffffffffL);
                x.setReg(2, 4, t >>> 32);
                x.setReg(1, 4, s.msrs.tscAux);
            }
            case SYSCALL -> syscall(x);
            case SYSRET -> sysret(x, d);
            case SYSENTER -> sysenter(x);
            case SYSEXIT -> sysexit(x, d);
            case SWAPGS -> {
                requireCpl0(x);
                Segment gs = s.seg[SegmentRegister.GS];
                long k = s.msrs.kernelGsBase;
                s.msrs.kernelGsBase = gs.base();
                s.seg[SegmentRegister.GS] = gs.withBase(k);
            }
            case FXSAVE -> X87Executor.fxsave(x, d);
            case FXRSTOR -> X87Executor.fxrstor(x, d);
            case LDMXCSR -> X87Executor.ldmxcsr(x, d);
            case STMXCSR -> X87Executor.stmxcsr(x, d);
            // no performance counters (CPUID leaf 0AH is absent), so every counter index is invalid
            case RDPMC -> throw GuestFault.gp(0);
            // no SMM, XSAVE or MONITOR/MWAIT: CPUID reports none of them
            default -> throw GuestFault.ud();
        }
    }

    private static void requireCpl0(Interpreter x) {
        if (x.state.cpl() != 0) {
            throw GuestFault.gp(0);
        }
    }

    /** LLDT, LTR, SLDT, STR, LAR, LSL, VERR, VERW and ARPL are #UD in real-address and virtual-8086 mode. */
    private static void requireProtected(CpuState s) {
        if (!s.protectedMode() || s.virtual8086()) {
            throw GuestFault.ud();
        }
    }

    private static void setZf(Interpreter x, boolean zf) {
        x.setRflags((x.getRflags() & ~Rflags.ZF) | (zf ? Rflags.ZF : 0));
    }

    // ------------------------------------------------------------------ GDTR/IDTR, LDTR, TR

    private static void loadTableRegister(Interpreter x, DecodedInstruction d) {
        requireCpl0(x);
        CpuState s = x.state;
        int limit = (int) x.read(d.memorySegment, x.ea, 2);
        long base;
        long next = (x.ea + 2) & Interpreter.mask(d.addrSize);
        if (s.mode64()) {
            base = x.read(d.memorySegment, next, 8);
            if (!Segmentation.canonical(base)) {
                throw GuestFault.gp(0);
            }
        } else {
            base = x.read(d.memorySegment, next, 4);
            if (d.opSize == 2) {
                base &= 0xffffff; // a 16-bit operand loads a 24-bit base
            }
        }
        DescriptorTable t = new DescriptorTable(base, limit);
        if (d.op == Op.LGDT) {
            s.gdt = t;
        } else {
            s.idt = t;
        }
    }

    private static void storeTableRegister(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        DescriptorTable t = d.op == Op.SGDT ? s.gdt : s.idt;
        x.write(d.memorySegment, x.ea, 2, t.limit());
        long next = (x.ea + 2) & Interpreter.mask(d.addrSize);
        if (s.mode64()) {
            x.write(d.memorySegment, next, 8, t.base());
        } else {
            x.write(d.memorySegment, next, 4, t.base() & 0xffffffffL);
        }
    }

    private static void storeSelector(Interpreter x, DecodedInstruction d, int selector) {
        requireProtected(x.state);
        x.writeOp(d, 0, selector & 0xffff);
    }

    /** LLDT (SDM Vol. 2A "LLDT"): a GDT selector of an LDT descriptor, or null to disable the LDT. */
    static void lldt(Interpreter x, int selector) {
        CpuState s = x.state;
        requireProtected(s);
        requireCpl0(x);
        if ((selector & 0xfffc) == 0) {
            s.ldt = Descriptors.nullSegment(selector, 0);
            return;
        }
        int err = selector & 0xfffc;
        if ((selector & 4) != 0) {
            throw GuestFault.gp(err);
        }
        long d = Descriptors.read(x, selector, GuestFault.GP);
        if (Descriptors.codeOrData(d) || Descriptors.type(d) != Descriptors.LDT) {
            throw GuestFault.gp(err);
        }
        if (!Descriptors.present(d)) {
            throw GuestFault.np(err);
        }
        long base = systemBase(x, selector, d, err);
        s.ldt = Descriptors.toSegment(selector, d, base);
    }

    /**
     * The base of an LDT or TSS descriptor: in IA-32e mode the descriptor is 16 bytes and its upper
     * half holds base bits 63:32, which must form a canonical address (SDM Vol. 3A 7.2.3).
     */
    private static long systemBase(Interpreter x, int selector, long d, int err) {
        long base = Descriptors.base(d);
        if (x.state.longMode()) {
            long high = Descriptors.readHigh(x, selector, GuestFault.GP);
            base |= (high & 0xffffffffL) << 32;
            if (!Segmentation.canonical(base)) {
                throw GuestFault.gp(err);
            }
        }
        return base;
    }

    /** LTR (SDM Vol. 2A "LTR"): loads an available TSS and marks it busy. */
    static void ltr(Interpreter x, int selector) {
        CpuState s = x.state;
        requireProtected(s);
        requireCpl0(x);
        int err = selector & 0xfffc;
        if (err == 0) {
            throw GuestFault.gp(0);
        }
        if ((selector & 4) != 0) {
            throw GuestFault.gp(err);
        }
        long d = Descriptors.read(x, selector, GuestFault.GP);
        int t = Descriptors.type(d);
        boolean ok = !Descriptors.codeOrData(d)
                && (t == Descriptors.TSS_AVAIL || (!s.longMode() && t == Descriptors.TSS16_AVAIL));
        if (!ok) {
            throw GuestFault.gp(err);
        }
        if (!Descriptors.present(d)) {
            throw GuestFault.np(err);
        }
        long base = systemBase(x, selector, d, err);
        Descriptors.setBusy(x, selector, d, true);
        s.tr = Descriptors.toSegment(selector, d | (2L << 40), base);
    }

    // ------------------------------------------------------------------ LAR, LSL, VERR, VERW, ARPL

    /**
     * The descriptor of a selector if it is visible at CPL with the selector's RPL (SDM Vol. 2A "LAR"),
     * else 0. LAR/LSL/VERR/VERW never fault on the selector itself.
     */
    private static long visibleDescriptor(Interpreter x, int selector) {
        CpuState s = x.state;
        if ((selector & 0xfffc) == 0 || !Descriptors.inLimits(s, selector, false)) {
            return 0;
        }
        long d = x.readLinear(Descriptors.address(s, selector), 8);
        if (!Descriptors.conforming(d)) {
            int dpl = Descriptors.dpl(d);
            if (s.cpl() > dpl || (selector & 3) > dpl) {
                return 0;
            }
        }
        return d;
    }

    private static void larLsl(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        requireProtected(s);
        int selector = (int) x.readOp(d, 1) & 0xffff;
        long desc = visibleDescriptor(x, selector);
        boolean lar = d.op == Op.LAR;
        boolean ok = desc != 0;
        if (ok && !Descriptors.codeOrData(desc)) {
            int t = Descriptors.type(desc);
            // SDM Vol. 2A Tables 3-57 (LAR) and 3-59 (LSL): which system types are valid in which mode
            ok = s.longMode()
                    ? t == Descriptors.LDT || t == Descriptors.TSS_AVAIL || t == Descriptors.TSS_BUSY
                      || (lar && t == Descriptors.CALL_GATE)
                    : t == Descriptors.TSS16_AVAIL || t == Descriptors.LDT || t == Descriptors.TSS16_BUSY
                      || t == Descriptors.TSS_AVAIL || t == Descriptors.TSS_BUSY
                      || (lar && (t == Descriptors.CALL_GATE16 || t == Descriptors.TASK_GATE
                                  || t == Descriptors.CALL_GATE));
        }
        if (ok) {
            // LAR masks with 00FxFF00H; the SDM leaves x (limit 19:16) undefined, we return the limit bits
            long value = lar ? desc >>> 32 & 0x00ffff00L : Descriptors.limit(desc) & 0xffffffffL;
            x.writeOp(d, 0, value & Interpreter.mask(d.size[0]));
        }
        setZf(x, ok);
    }

    private static void verify(Interpreter x, DecodedInstruction d) {
        requireProtected(x.state);
        int selector = (int) x.readOp(d, 0) & 0xffff;
        long desc = visibleDescriptor(x, selector);
        boolean ok = desc != 0 && Descriptors.codeOrData(desc)
                && (d.op == Op.VERR
                    ? Descriptors.isData(desc) || Descriptors.readableCode(desc)
                    : Descriptors.writableData(desc));
        setZf(x, ok);
    }

    private static void arpl(Interpreter x, DecodedInstruction d) {
        requireProtected(x.state);
        long dest = x.readOp(d, 0);
        long src = x.readOp(d, 1);
        if ((dest & 3) < (src & 3)) {
            x.writeOp(d, 0, (dest & ~3L) | (src & 3));
            setZf(x, true);
        } else {
            setZf(x, false);
        }
    }

    // ------------------------------------------------------------------ control and debug registers

    private static void moveControl(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        if (s.virtual8086()) {
            throw GuestFault.gp(0);
        }
        requireCpl0(x);
        int size = s.mode64() ? 8 : 4;
        if (d.kind[0] == K_CREG) {
            int cr = d.reg[0];
            long v = x.reg(d.reg[1], size);
            switch (cr) {
                case 0 -> writeCr0(x, v);
                case 2 -> s.cr2 = v;
                case 3 -> writeCr3(x, v);
                case 4 -> writeCr4(x, v);
                case 8 -> {
                    if ((v & ~0xfL) != 0) {
                        throw GuestFault.gp(0);
                    }
                    s.cr8 = v;
                }
                default -> throw GuestFault.ud();
            }
        } else {
            int cr = d.reg[1];
            long v = switch (cr) {
                case 0 -> s.cr0;
                case 2 -> s.cr2;
                case 3 -> s.cr3;
                case 4 -> s.cr4;
                case 8 -> s.cr8;
                default -> throw GuestFault.ud();
            };
            x.setReg(d.reg[0], size, v);
        }
    }

    /**
     * MOV to CR0 (SDM Vol. 2B "MOV—Move to/from Control Registers", Vol. 3A 9.8.5 for IA-32e activation):
     * setting PG with EFER.LME activates IA-32e mode (needs CR4.PAE), clearing it in IA-32e mode leaves it
     * (not allowed from 64-bit code).
     */
    static void writeCr0(Interpreter x, long v) {
        CpuState s = x.state;
        if ((v >>> 32) != 0 && s.mode64()) {
            throw GuestFault.gp(0);
        }
        v &= 0xffffffffL;
        if ((v & CR0_PG) != 0 && (v & CR0_PE) == 0) {
            throw GuestFault.gp(0);
        }
        if ((v & ControlRegisters.CR0_NW) != 0 && (v & ControlRegisters.CR0_CD) == 0) {
            throw GuestFault.gp(0);
        }
        long old = s.cr0;
        boolean pagingOn = (v & CR0_PG) != 0 && (old & CR0_PG) == 0;
        boolean pagingOff = (v & CR0_PG) == 0 && (old & CR0_PG) != 0;
        if (pagingOn && (s.efer & ControlRegisters.EFER_LME) != 0) {
            if ((s.cr4 & CR4_PAE) == 0 || s.seg[SegmentRegister.CS].l() != 0) {
                throw GuestFault.gp(0);
            }
        }
        if (pagingOff && s.mode64()) {
            throw GuestFault.gp(0);
        }
        if (pagingOn && (s.cr4 & CR4_PAE) != 0 && (s.efer & ControlRegisters.EFER_LME) == 0
                && !x.mmu.loadPdptes()) {
            throw GuestFault.gp(0);
        }
        s.cr0 = v | ControlRegisters.CR0_ET;
        if (pagingOn && (s.efer & ControlRegisters.EFER_LME) != 0) {
            s.efer |= ControlRegisters.EFER_LMA;
        } else if (pagingOff) {
            s.efer &= ~ControlRegisters.EFER_LMA;
        }
        if (((old ^ v) & (CR0_PG | ControlRegisters.CR0_WP)) != 0) {
            x.mmu.flushAll();
        }
    }

    static void writeCr3(Interpreter x, long v) {
        CpuState s = x.state;
        if (s.longMode()) {
            if ((v >>> 52) != 0) {
                throw GuestFault.gp(0);
            }
        } else {
            v &= 0xffffffffL;
        }
        long old = s.cr3;
        s.cr3 = v;
        if ((s.cr0 & CR0_PG) != 0 && (s.cr4 & CR4_PAE) != 0 && !s.longMode() && !x.mmu.loadPdptes()) {
            s.cr3 = old;
            throw GuestFault.gp(0);
        }
        x.mmu.flushNonGlobal();
    }

    static void writeCr4(Interpreter x, long v) {
        CpuState s = x.state;
        if ((v & ~CR4_SUPPORTED) != 0) {
            throw GuestFault.gp(0);
        }
        long old = s.cr4;
        if (s.longMode() && (v & CR4_PAE) == 0) {
            throw GuestFault.gp(0);
        }
        s.cr4 = v;
        if ((s.cr0 & CR0_PG) != 0 && (v & CR4_PAE) != 0 && !s.longMode()
                && ((old ^ v) & (CR4_PAE | ControlRegisters.CR4_PSE | ControlRegisters.CR4_PGE)) != 0
                && !x.mmu.loadPdptes()) {
            s.cr4 = old;
            throw GuestFault.gp(0);
        }
        if (((old ^ v) & (CR4_PAE | ControlRegisters.CR4_PSE | ControlRegisters.CR4_PGE)) != 0) {
            x.mmu.flushAll();
        }
    }

    /** MOV to/from DR0-DR7 (SDM Vol. 3A 18.2): DR4/DR5 alias DR6/DR7 unless CR4.DE, DR7.GD raises #DB. */
    private static void moveDebug(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        if (s.virtual8086()) {
            throw GuestFault.gp(0);
        }
        requireCpl0(x);
        boolean toDr = d.kind[0] == K_DREG;
        int dr = toDr ? d.reg[0] : d.reg[1];
        if (dr == 4 || dr == 5) {
            if ((s.cr4 & ControlRegisters.CR4_DE) != 0) {
                throw GuestFault.ud();
            }
            dr += 2;
        }
        if ((s.dr7 & 0x2000) != 0) {
            // general detect: the access itself is reported, with DR6.BD, and GD cleared for the handler
            s.dr6 |= DebugRegisters.DR6_BD;
            s.dr7 &= ~0x2000L;
            throw new GuestFault(GuestFault.DB, -1);
        }
        int size = s.mode64() ? 8 : 4;
        if (toDr) {
            long v = x.reg(d.reg[1], size);
            switch (dr) {
                case 6 -> {
                    if ((v >>> 32) != 0) {
                        throw GuestFault.gp(0);
                    }
                    s.dr6 = (v & 0xe00fL) | 0xffff0ff0L;
                }
                case 7 -> {
                    if ((v >>> 32) != 0) {
                        throw GuestFault.gp(0);
                    }
                    s.dr7 = (v & 0xffff27ffL) | 0x400;
                }
                default -> s.dr[dr] = size == 8 ? v : v & 0xffffffffL;
            }
        } else {
            long v = switch (dr) {
                case 6 -> s.dr6;
                case 7 -> s.dr7;
                default -> s.dr[dr];
            };
            x.setReg(d.reg[0], size, v);
        }
    }

    private static void checkTsd(Interpreter x) {
        if ((x.state.cr4 & ControlRegisters.CR4_TSD) != 0 && x.state.cpl() != 0) {
            throw GuestFault.gp(0);
        }
    }

    // ------------------------------------------------------------------ CPUID

    private static void cpuid(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        int function = (int) s.gpr[0];
        int index = (int) s.gpr[1];
        if (x.config.cpuidExits()) {
            // the client answers by setting EAX..EDX before the next run; RIP is already past CPUID
            x.exit.reason = ExitReason.CPUID;
            x.exit.cpuidFunction = function;
            x.exit.cpuidIndex = index;
            x.exit.instructionLength = d.length;
            x.exitPending = true;
            return;
        }
        CpuidModel.Entry e = s.cpuid.lookup(function, index);
        x.setReg(0, 4, e.eax() & 0xffffffffL);
        x.setReg(3, 4, e.ebx() & 0xffffffffL);
        x.setReg(1, 4, e.ecx() & 0xffffffffL);
        x.setReg(2, 4, e.edx() & 0xffffffffL);
    }

    // ------------------------------------------------------------------ fast system calls

    private static Segment flatCode(int selector, int dpl, boolean longCode) {
        return new Segment(selector, 0, 0xffffffff, 11, 1, dpl, longCode ? 0 : 1, 1, longCode ? 1 : 0, 1, 0, 0);
    }

    private static Segment flatStack(int selector, int dpl) {
        return new Segment(selector, 0, 0xffffffff, 3, 1, dpl, 1, 1, 0, 1, 0, 0);
    }

    /** SYSCALL in 64-bit mode (SDM Vol. 2B "SYSCALL"); the decoder makes it #UD elsewhere. */
    private static void syscall(Interpreter x) {
        CpuState s = x.state;
        if ((s.efer & ControlRegisters.EFER_SCE) == 0 || !s.mode64()) {
            throw GuestFault.ud();
        }
        int sel = (int) (s.msrs.star >>> 32) & 0xffff;
        s.gpr[1] = x.nextRip;
        long flags = x.getRflags();
        s.gpr[11] = flags;
        x.setRflags(flags & ~s.msrs.fmask & ~Rflags.RF);
        s.seg[SegmentRegister.CS] = flatCode(sel & 0xfffc, 0, true);
        s.seg[SegmentRegister.SS] = flatStack((sel + 8) & 0xfffc, 0);
        x.nextRip = s.msrs.lstar;
    }

    /** SYSRET (SDM Vol. 2B "SYSRET"): REX.W returns to 64-bit code at RCX, otherwise to 32-bit code at ECX. */
    private static void sysret(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        if ((s.efer & ControlRegisters.EFER_SCE) == 0 || !s.mode64()) {
            throw GuestFault.ud();
        }
        requireCpl0(x);
        int sel = (int) (s.msrs.star >>> 48) & 0xffff;
        boolean to64 = d.rexW();
        if (to64 && !Segmentation.canonical(s.gpr[1])) {
            throw GuestFault.gp(0);
        }
        x.nextRip = to64 ? s.gpr[1] : s.gpr[1] & 0xffffffffL;
        x.setRflags((s.gpr[11] & 0x3c7fd7L) | Rflags.FIXED1);
        s.seg[SegmentRegister.CS] = flatCode(((to64 ? sel + 16 : sel) & 0xfffc) | 3, 3, to64);
        s.seg[SegmentRegister.SS] = flatStack(((sel + 8) & 0xfffc) | 3, 3);
    }

    /** SYSENTER (SDM Vol. 2B "SYSENTER"): to CPL 0 at IA32_SYSENTER_EIP with flat CS/SS from IA32_SYSENTER_CS. */
    private static void sysenter(Interpreter x) {
        CpuState s = x.state;
        int cs = (int) s.msrs.sysenterCs & 0xffff;
        if (!s.protectedMode() || (cs & 0xfffc) == 0) {
            throw GuestFault.gp(0);
        }
        boolean ia32e = s.longMode();
        x.setRflags(x.getRflags() & ~(Rflags.VM | Rflags.IF | Rflags.RF));
        s.seg[SegmentRegister.CS] = flatCode(cs & 0xfffc, 0, ia32e);
        s.seg[SegmentRegister.SS] = flatStack((cs + 8) & 0xfffc, 0);
        s.gpr[4] = ia32e ? s.msrs.sysenterEsp : s.msrs.sysenterEsp & 0xffffffffL;
        x.nextRip = ia32e ? s.msrs.sysenterEip : s.msrs.sysenterEip & 0xffffffffL;
    }

    /** SYSEXIT (SDM Vol. 2B "SYSEXIT"): to CPL 3 at rDX with the stack at rCX; REX.W returns to 64-bit code. */
    private static void sysexit(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        int cs = (int) s.msrs.sysenterCs & 0xffff;
        if (!s.protectedMode() || s.virtual8086() || s.cpl() != 0 || (cs & 0xfffc) == 0) {
            throw GuestFault.gp(0);
        }
        boolean to64 = d.rexW() && s.mode64();
        if (to64 && (!Segmentation.canonical(s.gpr[2]) || !Segmentation.canonical(s.gpr[1]))) {
            throw GuestFault.gp(0);
        }
        s.seg[SegmentRegister.CS] = flatCode(((to64 ? cs + 32 : cs + 16) & 0xfffc) | 3, 3, to64);
        s.seg[SegmentRegister.SS] = flatStack(((to64 ? cs + 40 : cs + 24) & 0xfffc) | 3, 3);
        s.gpr[4] = to64 ? s.gpr[1] : s.gpr[1] & 0xffffffffL;
        x.nextRip = to64 ? s.gpr[2] : s.gpr[2] & 0xffffffffL;
    }
}
