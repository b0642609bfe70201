package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;

import static dev.restvisor.core.cpu.state.SegmentRegister.CS;
import static dev.restvisor.core.cpu.state.SegmentRegister.SS;

/**
 * Segment-register loads and far control transfers with every protection check: MOV/POP Sreg and
 * LDS..LGS (SDM Vol. 2B "MOV", 3A 5.5-5.8), far JMP/CALL directly and through call gates with the
 * stack switch of 5.8.5, far RET to the same or an outer level, and IRET in every mode (Vol. 2A "IRET").
 * Task gates and TSS targets go to {@link TaskSwitch}. Real-address and virtual-8086 mode load a
 * selector as base = selector * 16.
 *
 * <p>A transfer changes several registers; when a later step faults, the registers are put back as
 * they were so the fault is delivered in the context of the instruction (SDM Vol. 3A 6.6).
 */
public final class FarTransfers {
    private FarTransfers() {
    }

    /** Registers a far transfer may change, restored when it faults half-way. */
    static final class Snapshot {
        private final Segment[] seg;
        private final long rsp;
        private final long rflags;
        private final long rip;

        Snapshot(Interpreter x) {
            seg = x.state.seg.clone();
            rsp = x.state.gpr[4];
            rflags = x.getRflags();
            rip = x.nextRip;
        }

        void restore(Interpreter x) {
            System.arraycopy(seg, 0, x.state.seg, 0, 6);
            x.state.gpr[4] = rsp;
            x.setRflags(rflags);
            x.nextRip = rip;
        }
    }

    private static boolean legacy(CpuState s) {
        return !s.protectedMode() || s.virtual8086();
    }

    // ------------------------------------------------------------------ data segment loads

    /** MOV/POP to a segment register, LDS/LES/LSS/LFS/LGS (SDM Vol. 2B "MOV" Operation). */
    public static void loadSegment(Interpreter x, int sreg, int selector) {
        CpuState s = x.state;
        selector &= 0xffff;
        if (legacy(s)) {
            x.setSegmentReal(sreg, selector);
            return;
        }
        int cpl = s.cpl();
        int rpl = selector & 3;
        if ((selector & 0xfffc) == 0) {
            if (sreg == SS) {
                // 64-bit mode allows a null SS below CPL 3 when RPL = CPL (SDM Vol. 2B "MOV")
                if (!s.mode64() || cpl == 3 || rpl != cpl) {
                    throw GuestFault.gp(0);
                }
                s.seg[SS] = Descriptors.nullSegment(selector, cpl);
                return;
            }
            s.seg[sreg] = Descriptors.nullSegment(selector, 0);
            return;
        }
        long d = Descriptors.read(x, selector, GuestFault.GP);
        if (sreg == SS) {
            if (rpl != cpl || !Descriptors.writableData(d) || Descriptors.dpl(d) != cpl) {
                throw GuestFault.gp(selector & 0xfffc);
            }
            if (!Descriptors.present(d)) {
                throw GuestFault.ss(selector & 0xfffc);
            }
        } else {
            if (!Descriptors.isData(d) && !Descriptors.readableCode(d)) {
                throw GuestFault.gp(selector & 0xfffc);
            }
            if (!Descriptors.conforming(d) && (rpl > Descriptors.dpl(d) || cpl > Descriptors.dpl(d))) {
                throw GuestFault.gp(selector & 0xfffc);
            }
            if (!Descriptors.present(d)) {
                throw GuestFault.np(selector & 0xfffc);
            }
        }
        Descriptors.setAccessed(x, selector, d);
        Segment seg = Descriptors.toSegment(selector, d);
        if (s.mode64() && sreg >= SegmentRegister.FS) {
            // the descriptor supplies only the low 32 bits of the FS/GS base
            seg = seg.withBase(seg.base() & 0xffffffffL);
        }
        s.seg[sreg] = seg;
    }

    // ------------------------------------------------------------------ code segment checks

    /** The checks of a direct JMP/CALL to a code segment (SDM Vol. 2A "JMP" Operation, code segment branch). */
    private static void checkDirectCode(CpuState s, int selector, long d, int cpl) {
        int err = selector & 0xfffc;
        if (!Descriptors.isCode(d)) {
            throw GuestFault.gp(err);
        }
        if (Descriptors.conforming(d)) {
            if (Descriptors.dpl(d) > cpl) {
                throw GuestFault.gp(err);
            }
        } else if ((selector & 3) > cpl || Descriptors.dpl(d) != cpl) {
            throw GuestFault.gp(err);
        }
        if (!Descriptors.present(d)) {
            throw GuestFault.np(err);
        }
        checkLongCode(s, selector, d);
    }

    /** In IA-32e mode a code segment with both L and D set is reserved. */
    private static void checkLongCode(CpuState s, int selector, long d) {
        if (s.longMode() && Descriptors.longCode(d) && Descriptors.db(d)) {
            throw GuestFault.gp(selector & 0xfffc);
        }
    }

    /** Loads CS (RPL forced to {@code cpl}) and the new RIP after checking it against the new limit. */
    private static void enterCode(Interpreter x, int selector, long d, int cpl, long rip) {
        CpuState s = x.state;
        boolean to64 = s.longMode() && Descriptors.longCode(d);
        if (!to64 && rip > (Descriptors.limit(d) & 0xffffffffL)) {
            throw GuestFault.gp(0);
        }
        if (to64 && !Segmentation.canonical(rip)) {
            throw GuestFault.gp(0);
        }
        Descriptors.setAccessed(x, selector, d);
        s.seg[CS] = Descriptors.toSegment((selector & 0xfffc) | cpl, d);
        x.nextRip = rip;
    }

    // ------------------------------------------------------------------ JMP / CALL

    static void jumpFar(Interpreter x, DecodedInstruction d, int selector, long offset) {
        CpuState s = x.state;
        selector &= 0xffff;
        if (legacy(s)) {
            x.setSegmentReal(CS, selector);
            x.nextRip = offset & Interpreter.mask(d.opSize);
            return;
        }
        if ((selector & 0xfffc) == 0) {
            throw GuestFault.gp(0);
        }
        int cpl = s.cpl();
        long desc = Descriptors.read(x, selector, GuestFault.GP);
        if (Descriptors.isCode(desc)) {
            checkDirectCode(s, selector, desc, cpl);
            enterCode(x, selector, desc, cpl, offset & Interpreter.mask(d.opSize));
            return;
        }
        transferThroughSystem(x, d, selector, desc, cpl, false);
    }

    static void callFar(Interpreter x, DecodedInstruction d, int selector, long offset) {
        CpuState s = x.state;
        selector &= 0xffff;
        int os = d.opSize;
        if (legacy(s)) {
            x.push(os, s.seg[CS].selector());
            x.push(os, x.nextRip);
            x.setSegmentReal(CS, selector);
            x.nextRip = offset & Interpreter.mask(os);
            return;
        }
        if ((selector & 0xfffc) == 0) {
            throw GuestFault.gp(0);
        }
        int cpl = s.cpl();
        long desc = Descriptors.read(x, selector, GuestFault.GP);
        if (Descriptors.isCode(desc)) {
            checkDirectCode(s, selector, desc, cpl);
            Snapshot saved = new Snapshot(x);
            try {
                int oldCs = s.seg[CS].selector();
                long ret = x.nextRip;
                x.push(os, oldCs);
                x.push(os, ret);
                enterCode(x, selector, desc, cpl, offset & Interpreter.mask(os));
            } catch (GuestFault f) {
                saved.restore(x);
                throw f;
            }
            return;
        }
        transferThroughSystem(x, d, selector, desc, cpl, true);
    }

    /** JMP/CALL to a system descriptor: call gate, task gate or TSS. */
    private static void transferThroughSystem(Interpreter x, DecodedInstruction d, int selector, long desc, int cpl,
                                              boolean call) {
        CpuState s = x.state;
        int err = selector & 0xfffc;
        if (Descriptors.codeOrData(desc)) {
            throw GuestFault.gp(err);
        }
        int type = Descriptors.type(desc);
        boolean ia32e = s.longMode();
        switch (type) {
            case Descriptors.CALL_GATE, Descriptors.CALL_GATE16 -> {
                if (ia32e && type != Descriptors.CALL_GATE) {
                    throw GuestFault.gp(err);
                }
                callGate(x, selector, desc, cpl, call);
            }
            case Descriptors.TASK_GATE, Descriptors.TSS_AVAIL, Descriptors.TSS16_AVAIL -> {
                if (ia32e) {
                    throw GuestFault.gp(err);
                }
                int dpl = Descriptors.dpl(desc);
                if (dpl < cpl || dpl < (selector & 3)) {
                    throw GuestFault.gp(err);
                }
                if (!Descriptors.present(desc)) {
                    throw GuestFault.np(err);
                }
                int tss = selector;
                long tssDesc = desc;
                if (type == Descriptors.TASK_GATE) {
                    tss = Descriptors.gateSelector(desc);
                    if ((tss & 4) != 0) {
                        throw GuestFault.gp(tss & 0xfffc);
                    }
                    tssDesc = Descriptors.read(x, tss, GuestFault.GP);
                    int t = Descriptors.type(tssDesc);
                    if (Descriptors.codeOrData(tssDesc) || (t != Descriptors.TSS_AVAIL && t != Descriptors.TSS16_AVAIL)) {
                        throw GuestFault.gp(tss & 0xfffc);
                    }
                    if (!Descriptors.present(tssDesc)) {
                        throw GuestFault.np(tss & 0xfffc);
                    }
                }
                TaskSwitch.switchTo(x, tss, tssDesc, call ? TaskSwitch.CALL : TaskSwitch.JMP, x.nextRip, -1);
            }
            default -> throw GuestFault.gp(err);
        }
    }

    /** Far JMP/CALL through a call gate (SDM Vol. 3A 5.8.4-5.8.6, Vol. 2A "CALL" Operation). */
    private static void callGate(Interpreter x, int selector, long gate, int cpl, boolean call) {
        CpuState s = x.state;
        int err = selector & 0xfffc;
        int gdpl = Descriptors.dpl(gate);
        if (gdpl < cpl || gdpl < (selector & 3)) {
            throw GuestFault.gp(err);
        }
        if (!Descriptors.present(gate)) {
            throw GuestFault.np(err);
        }
        boolean ia32e = s.longMode();
        long offset = Descriptors.gateOffset(gate);
        int gateSize = Descriptors.type(gate) == Descriptors.CALL_GATE ? 4 : 2;
        if (ia32e) {
            long high = Descriptors.readHigh(x, selector, GuestFault.GP);
            if (((high >>> 8) & 0x1f) != 0) {
                throw GuestFault.gp(err);
            }
            offset |= (high & 0xffffffffL) << 32;
            gateSize = 8;
        } else if (gateSize == 2) {
            offset &= 0xffff;
        }
        int csSel = Descriptors.gateSelector(gate);
        if ((csSel & 0xfffc) == 0) {
            throw GuestFault.gp(0);
        }
        long cs = Descriptors.read(x, csSel, GuestFault.GP);
        int csErr = csSel & 0xfffc;
        if (!Descriptors.isCode(cs) || Descriptors.dpl(cs) > cpl) {
            throw GuestFault.gp(csErr);
        }
        if (!call && !Descriptors.conforming(cs) && Descriptors.dpl(cs) != cpl) {
            throw GuestFault.gp(csErr);
        }
        if (!Descriptors.present(cs)) {
            throw GuestFault.np(csErr);
        }
        if (ia32e && (!Descriptors.longCode(cs) || Descriptors.db(cs))) {
            throw GuestFault.gp(csErr);
        }
        if (!call) {
            enterCode(x, csSel, cs, cpl, offset);
            return;
        }
        Snapshot saved = new Snapshot(x);
        try {
            int oldCs = s.seg[CS].selector();
            long ret = x.nextRip;
            int newCpl = Descriptors.dpl(cs);
            if (!Descriptors.conforming(cs) && newCpl < cpl) {
                int oldSs = s.seg[SS].selector();
                long oldSp = s.gpr[4];
                int count = ia32e ? 0 : Descriptors.gateParams(gate);
                long[] params = new long[count];
                for (int i = 0; i < count; i++) {
                    params[i] = x.peek(gateSize, (long) gateSize * i);
                }
                switchToInnerStack(x, newCpl, 0);
                // CS first: in IA-32e mode the new stack is 64-bit only once CS.L is
                s.seg[CS] = Descriptors.toSegment((csSel & 0xfffc) | newCpl, cs);
                checkGateTarget(s, offset);
                x.push(gateSize, oldSs);
                x.push(gateSize, oldSp);
                for (int i = count - 1; i >= 0; i--) {
                    x.push(gateSize, params[i]);
                }
                x.push(gateSize, oldCs);
                x.push(gateSize, ret);
                Descriptors.setAccessed(x, csSel, cs);
                x.nextRip = offset;
            } else {
                x.push(gateSize, oldCs);
                x.push(gateSize, ret);
                enterCode(x, csSel, cs, cpl, offset);
            }
        } catch (GuestFault f) {
            saved.restore(x);
            throw f;
        }
    }

    private static void checkGateTarget(CpuState s, long offset) {
        if (s.mode64() ? !Segmentation.canonical(offset) : offset > (s.seg[CS].limit() & 0xffffffffL)) {
            throw GuestFault.gp(0);
        }
    }

    /**
     * Loads SS:rSP for privilege level {@code newCpl} from the current TSS (SDM Vol. 3A 5.8.5, 6.12.1; 7.7 for
     * IA-32e mode, where SS becomes a null selector with RPL = new CPL). Faults are #TS with the SS selector
     * (plus {@code ext}), #SS when SS is not present.
     *
     * @param ist in IA-32e mode a nonzero IST index selects that stack instead (SDM Vol. 3A 6.14.5)
     */
    static void switchToInnerStack(Interpreter x, int newCpl, int ist) {
        switchToInnerStack(x, newCpl, ist, 0);
    }

    static void switchToInnerStack(Interpreter x, int newCpl, int ist, int ext) {
        CpuState s = x.state;
        Segment tr = s.tr;
        long base = tr.base();
        long limit = tr.limit() & 0xffffffffL;
        if (s.longMode()) {
            long off = ist != 0 ? 0x24 + 8L * (ist - 1) : 4 + 8L * newCpl;
            if (off + 7 > limit) {
                throw GuestFault.ts((tr.selector() & 0xfffc) | ext);
            }
            long rsp = x.readLinear(base + off, 8);
            if (!Segmentation.canonical(rsp)) {
                throw GuestFault.ss(ext);
            }
            s.seg[SS] = Descriptors.nullSegment(newCpl, newCpl);
            s.gpr[4] = rsp;
            return;
        }
        boolean tss32 = (tr.type() & 8) != 0;
        long spOff = tss32 ? 4 + 8L * newCpl : 2 + 4L * newCpl;
        int width = tss32 ? 4 : 2;
        if (spOff + width + 1 > limit) {
            throw GuestFault.ts((tr.selector() & 0xfffc) | ext);
        }
        long sp = x.readLinear(base + spOff, width);
        int ssSel = (int) x.readLinear(base + spOff + width, 2);
        int ssErr = (ssSel & 0xfffc) | ext;
        if ((ssSel & 0xfffc) == 0) {
            throw GuestFault.ts(ext);
        }
        long d = Descriptors.read(x, ssSel, GuestFault.TS);
        if ((ssSel & 3) != newCpl || Descriptors.dpl(d) != newCpl || !Descriptors.writableData(d)) {
            throw GuestFault.ts(ssErr);
        }
        if (!Descriptors.present(d)) {
            throw GuestFault.ss(ssErr);
        }
        Descriptors.setAccessed(x, ssSel, d);
        s.seg[SS] = Descriptors.toSegment(ssSel, d);
        s.gpr[4] = Descriptors.db(d) ? sp : (s.gpr[4] & ~0xffffL) | sp;
    }

    // ------------------------------------------------------------------ RET

    static void returnFar(Interpreter x, DecodedInstruction d, long release) {
        CpuState s = x.state;
        int os = d.opSize;
        long ip = x.peek(os, 0) & Interpreter.mask(os);
        int csSel = (int) (x.peek(os, os) & 0xffff);
        if (legacy(s)) {
            x.setSegmentReal(CS, csSel);
            x.setReg(4, x.stackSize(), s.gpr[4] + 2L * os + release);
            x.nextRip = ip;
            return;
        }
        int cpl = s.cpl();
        long cs = checkReturnCode(x, csSel, cpl);
        int rpl = csSel & 3;
        Snapshot saved = new Snapshot(x);
        try {
            if (rpl == cpl) {
                // the stack pointer width is that of the stack before CS changes (RETF may leave 64-bit mode)
                int ss = x.stackSize();
                enterCode(x, csSel, cs, cpl, ip);
                x.setReg(4, ss, s.gpr[4] + 2L * os + release);
                return;
            }
            long sp = x.peek(os, 2L * os + release);
            int ssSel = (int) (x.peek(os, 3L * os + release) & 0xffff);
            returnToOuter(x, csSel, cs, ip, ssSel, sp + release, os);
        } catch (GuestFault f) {
            saved.restore(x);
            throw f;
        }
    }

    /** The CS checks of a far RET or IRET to protected mode (SDM Vol. 2B "RET" Operation). */
    private static long checkReturnCode(Interpreter x, int csSel, int cpl) {
        if ((csSel & 0xfffc) == 0) {
            throw GuestFault.gp(0);
        }
        long cs = Descriptors.read(x, csSel, GuestFault.GP);
        int err = csSel & 0xfffc;
        int rpl = csSel & 3;
        if (!Descriptors.isCode(cs) || rpl < cpl) {
            throw GuestFault.gp(err);
        }
        if (Descriptors.conforming(cs) ? Descriptors.dpl(cs) > rpl : Descriptors.dpl(cs) != rpl) {
            throw GuestFault.gp(err);
        }
        if (!Descriptors.present(cs)) {
            throw GuestFault.np(err);
        }
        checkLongCode(x.state, csSel, cs);
        return cs;
    }

    /**
     * The outer-level part of RET and IRET: loads SS:rSP popped from the inner stack and CS, then nulls
     * the data segments the new level may not use (SDM Vol. 3A 5.8.6).
     */
    private static void returnToOuter(Interpreter x, int csSel, long cs, long ip, int ssSel, long sp, int os) {
        CpuState s = x.state;
        int rpl = csSel & 3;
        boolean to64 = s.longMode() && Descriptors.longCode(cs);
        Segment ss = returnStack(x, ssSel, rpl, to64);
        enterCode(x, csSel, cs, rpl, ip);
        s.seg[SS] = ss;
        if (to64) {
            s.gpr[4] = sp;
        } else if (ss.db() != 0) {
            s.gpr[4] = sp & 0xffffffffL;
        } else {
            s.gpr[4] = (s.gpr[4] & ~0xffffL) | (sp & 0xffff);
        }
        for (int r : new int[] {SegmentRegister.ES, SegmentRegister.DS, SegmentRegister.FS, SegmentRegister.GS}) {
            Segment seg = s.seg[r];
            boolean dataOrNonConforming = seg.s() == 1 && ((seg.type() & 8) == 0 || (seg.type() & 4) == 0);
            if (!seg.isUnusable() && dataOrNonConforming && seg.dpl() < rpl) {
                s.seg[r] = Descriptors.nullSegment(0, 0);
            }
        }
    }

    // ------------------------------------------------------------------ IRET

    static void interruptReturn(Interpreter x, DecodedInstruction d) {
        CpuState s = x.state;
        int os = d.opSize;
        if (!s.protectedMode()) {
            long ip = x.peek(os, 0) & Interpreter.mask(os);
            int cs = (int) (x.peek(os, os) & 0xffff);
            long fl = x.peek(os, 2L * os);
            x.setSegmentReal(CS, cs);
            x.setReg(4, x.stackSize(), s.gpr[4] + 3L * os);
            long keep = os == 2 ? ~0xffffL : (Rflags.VM | Rflags.VIP | Rflags.VIF);
            x.setRflags((x.getRflags() & keep) | (fl & ~keep & ~Rflags.RF));
            x.nextRip = ip;
            return;
        }
        if (s.virtual8086()) {
            // without VME, IRET in virtual-8086 mode needs IOPL 3 and leaves IOPL and VM alone
            if ((s.rflags & Rflags.IOPL) != Rflags.IOPL) {
                throw GuestFault.gp(0);
            }
            long ip = x.peek(os, 0) & Interpreter.mask(os);
            int cs = (int) (x.peek(os, os) & 0xffff);
            long fl = x.peek(os, 2L * os);
            x.setSegmentReal(CS, cs);
            x.setReg(4, x.stackSize(), s.gpr[4] + 3L * os);
            long keep = (os == 2 ? ~0xffffL : (Rflags.VM | Rflags.VIP | Rflags.VIF)) | Rflags.IOPL;
            x.setRflags((x.getRflags() & keep) | (fl & ~keep & ~Rflags.RF));
            x.nextRip = ip;
            return;
        }
        if ((s.rflags & Rflags.NT) != 0) {
            if (s.longMode()) {
                throw GuestFault.gp(0);
            }
            TaskSwitch.taskReturn(x);
            return;
        }
        int cpl = s.cpl();
        long ip = x.peek(os, 0) & Interpreter.mask(os);
        int csSel = (int) (x.peek(os, os) & 0xffff);
        long fl = x.peek(os, 2L * os) & Interpreter.mask(os);
        if ((fl & Rflags.VM) != 0 && cpl == 0 && os == 4 && !s.longMode()) {
            returnToVirtual8086(x, ip, csSel, fl);
            return;
        }
        long cs = checkReturnCode(x, csSel, cpl);
        int rpl = csSel & 3;
        Snapshot saved = new Snapshot(x);
        try {
            long newFlags = iretFlags(x, fl, os, cpl);
            if (rpl == cpl && !s.mode64()) {
                int ss = x.stackSize();
                enterCode(x, csSel, cs, cpl, ip);
                x.setReg(4, ss, s.gpr[4] + 3L * os);
            } else {
                long sp = x.peek(os, 3L * os);
                int ssSel = (int) (x.peek(os, 4L * os) & 0xffff);
                if (rpl == cpl) {
                    // 64-bit mode always pops SS:RSP; at the same level only SS and rSP change
                    loadSameLevelStack(x, csSel, cs, ip, ssSel, sp, cpl);
                } else {
                    returnToOuter(x, csSel, cs, ip, ssSel, sp, os);
                }
            }
            x.setRflags(newFlags);
        } catch (GuestFault f) {
            saved.restore(x);
            throw f;
        }
    }

    /**
     * The SS a far return or IRET pops for privilege level {@code level}, checked and marked accessed.
     * In IA-32e mode a return to 64-bit code below CPL 3 may carry a null SS (SDM Vol. 2A "IRET").
     */
    private static Segment returnStack(Interpreter x, int ssSel, int level, boolean to64) {
        if ((ssSel & 0xfffc) == 0) {
            if (!to64 || level == 3) {
                throw GuestFault.gp(0);
            }
            return Descriptors.nullSegment(ssSel, level);
        }
        long sd = Descriptors.read(x, ssSel, GuestFault.GP);
        int err = ssSel & 0xfffc;
        if ((ssSel & 3) != level || Descriptors.dpl(sd) != level || !Descriptors.writableData(sd)) {
            throw GuestFault.gp(err);
        }
        if (!Descriptors.present(sd)) {
            throw GuestFault.ss(err);
        }
        Descriptors.setAccessed(x, ssSel, sd);
        return Descriptors.toSegment(ssSel, sd);
    }

    /** IRETQ to the same privilege level in 64-bit mode: CS, SS and RSP all come from the stack. */
    private static void loadSameLevelStack(Interpreter x, int csSel, long cs, long ip, int ssSel, long sp, int cpl) {
        CpuState s = x.state;
        boolean to64 = Descriptors.longCode(cs);
        Segment ss = returnStack(x, ssSel, cpl, to64);
        enterCode(x, csSel, cs, cpl, ip);
        s.seg[SS] = ss;
        s.gpr[4] = to64 ? sp : ss.db() != 0 ? sp & 0xffffffffL : (s.gpr[4] & ~0xffffL) | (sp & 0xffff);
    }

    /** The RFLAGS an IRET in protected mode installs, under the privilege rules of SDM Vol. 2A "IRET". */
    private static long iretFlags(Interpreter x, long popped, int os, int cpl) {
        long old = x.getRflags();
        long changeable = Rflags.STATUS | Rflags.TF | Rflags.DF | Rflags.NT;
        if (os > 2) {
            changeable |= Rflags.RF | Rflags.AC | Rflags.ID;
        }
        int iopl = (int) (old >>> 12) & 3;
        if (cpl <= iopl) {
            changeable |= Rflags.IF;
        }
        if (cpl == 0) {
            changeable |= Rflags.IOPL;
            if (os > 2) {
                changeable |= Rflags.VIF | Rflags.VIP;
            }
        }
        return (old & ~changeable) | (popped & changeable);
    }

    /** IRET from CPL 0 with VM set in the popped EFLAGS (SDM Vol. 2A "IRET", RETURN-TO-VIRTUAL-8086-MODE). */
    private static void returnToVirtual8086(Interpreter x, long ip, int csSel, long fl) {
        CpuState s = x.state;
        long esp = x.peek(4, 12);
        int[] sel = new int[5];
        for (int i = 0; i < 5; i++) {
            sel[i] = (int) (x.peek(4, 16 + 4L * i) & 0xffff);
        }
        x.setRflags(fl);
        int[] order = {SS, SegmentRegister.ES, SegmentRegister.DS, SegmentRegister.FS, SegmentRegister.GS};
        for (int i = 0; i < 5; i++) {
            s.seg[order[i]] = v8086Segment(sel[i], SegmentRegister.DS);
        }
        s.seg[CS] = v8086Segment(csSel, CS);
        s.gpr[4] = esp & 0xffffffffL;
        x.nextRip = ip & 0xffff;
    }

    /** A segment register in virtual-8086 mode: base = selector * 16, 64 KiB, DPL 3 (SDM Vol. 3A 20.2). */
    static Segment v8086Segment(int selector, int sreg) {
        selector &= 0xffff;
        return new Segment(selector, (long) selector << 4, 0xffff, sreg == CS ? 11 : 3, 1, 3, 0, 1, 0, 0, 0, 0);
    }
}
