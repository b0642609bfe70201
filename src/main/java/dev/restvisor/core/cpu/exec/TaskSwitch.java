package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;

/**
 * The hardware task switch of SDM Vol. 3A 7.3 between 32-bit and 16-bit TSSs (Figures 7-2 and 7-11):
 * saving the outgoing task, busy flags and the NT/link chain, loading CR3, LDTR, registers and segment
 * registers of the incoming one. Not available in IA-32e mode. Faults raised while loading the new
 * task's segments are #TS/#NP/#SS with the selector, delivered in the context of the new task.
 */
final class TaskSwitch {
    /** Why the switch happens; decides busy flags, NT and the link field (SDM Vol. 3A Table 7-2). */
    static final int JMP = 0, CALL = 1, IRET = 2, INTERRUPT = 3;

    private TaskSwitch() {
    }

    private static boolean is32(long tssDesc) {
        return (Descriptors.type(tssDesc) & 8) != 0;
    }

    /**
     * Switches to the task whose available (busy for IRET) TSS descriptor is {@code desc}.
     *
     * @param returnRip the EIP saved in the outgoing TSS
     * @param errorCode pushed on the new task's stack for an exception with an error code, or -1
     */
    static void switchTo(Interpreter x, int selector, long desc, int reason, long returnRip, int errorCode) {
        CpuState s = x.state;
        int err = selector & 0xfffc;
        boolean new32 = is32(desc);
        if (!Descriptors.present(desc)) {
            throw GuestFault.np(err);
        }
        if ((Descriptors.limit(desc) & 0xffffffffL) < (new32 ? 0x67 : 0x2b)) {
            throw GuestFault.ts(err);
        }
        long newBase = Descriptors.base(desc);
        // the outgoing task
        Segment tr = s.tr;
        long oldBase = tr.base();
        boolean old32 = (tr.type() & 8) != 0;
        long flags = x.getRflags();
        if (reason == IRET) {
            flags &= ~Rflags.NT;
        }
        if (old32) {
            x.writeLinear(oldBase + 32, 4, returnRip);
            x.writeLinear(oldBase + 36, 4, flags);
            for (int r = 0; r < 8; r++) {
                x.writeLinear(oldBase + 40 + 4L * r, 4, s.gpr[r]);
            }
            for (int sr = 0; sr < 6; sr++) {
                x.writeLinear(oldBase + 72 + 4L * sr, 2, s.seg[sr].selector());
            }
        } else {
            x.writeLinear(oldBase + 14, 2, returnRip);
            x.writeLinear(oldBase + 16, 2, flags);
            for (int r = 0; r < 8; r++) {
                x.writeLinear(oldBase + 18 + 2L * r, 2, s.gpr[r]);
            }
            for (int sr = 0; sr < 4; sr++) {
                x.writeLinear(oldBase + 34 + 2L * sr, 2, s.seg[sr].selector());
            }
        }
        if (reason == JMP || reason == IRET) {
            int oldSel = tr.selector();
            if ((oldSel & 0xfffc) != 0 && Descriptors.inLimits(s, oldSel, false)) {
                Descriptors.setBusy(x, oldSel, Descriptors.read(x, oldSel, GuestFault.TS), false);
            }
        }
        // read the incoming task before anything of it is loaded
        long eip;
        long newFlags;
        long[] regs = new long[8];
        int[] sels = new int[6];
        int ldtSel;
        long cr3 = s.cr3;
        if (new32) {
            cr3 = x.readLinear(newBase + 28, 4);
            eip = x.readLinear(newBase + 32, 4);
            newFlags = x.readLinear(newBase + 36, 4);
            for (int r = 0; r < 8; r++) {
                regs[r] = x.readLinear(newBase + 40 + 4L * r, 4);
            }
            for (int sr = 0; sr < 6; sr++) {
                sels[sr] = (int) x.readLinear(newBase + 72 + 4L * sr, 2);
            }
            ldtSel = (int) x.readLinear(newBase + 96, 2);
        } else {
            eip = x.readLinear(newBase + 14, 2);
            newFlags = x.readLinear(newBase + 16, 2) | (flags & ~0xffffL & ~Rflags.VM);
            for (int r = 0; r < 8; r++) {
                regs[r] = (s.gpr[r] & ~0xffffL) | x.readLinear(newBase + 18 + 2L * r, 2);
            }
            for (int sr = 0; sr < 4; sr++) {
                sels[sr] = (int) x.readLinear(newBase + 34 + 2L * sr, 2);
            }
            ldtSel = (int) x.readLinear(newBase + 42, 2);
        }
        if (reason == CALL || reason == INTERRUPT) {
            x.writeLinear(newBase, 2, tr.selector());
            newFlags |= Rflags.NT;
        }
        if (reason != IRET) {
            Descriptors.setBusy(x, selector, desc, true);
        }
        s.tr = new Segment(selector, newBase, Descriptors.limit(desc), Descriptors.type(desc) | 2, 1,
                Descriptors.dpl(desc), 0, 0, 0, (int) (desc >>> 55) & 1, 0, 0);
        s.cr0 |= ControlRegisters.CR0_TS;

        // from here on, faults belong to the new task (SDM Vol. 3A 7.3 step 11)
        if (new32 && (s.cr0 & ControlRegisters.CR0_PG) != 0) {
            s.cr3 = cr3;
            if ((s.cr4 & ControlRegisters.CR4_PAE) != 0 && !x.mmu.loadPdptes()) {
                throw GuestFault.gp(0);
            }
            x.mmu.flushNonGlobal();
        }
        System.arraycopy(regs, 0, s.gpr, 0, 8);
        x.setRflags(newFlags | Rflags.FIXED1);
        x.nextRip = eip;
        // selectors go in first, so a fault below leaves the new task's selectors visible as on hardware
        for (int sr = 0; sr < 6; sr++) {
            s.seg[sr] = s.seg[sr].withSelector(sels[sr]);
        }
        loadLdt(x, ldtSel);
        if (s.virtual8086()) {
            for (int sr = 0; sr < 6; sr++) {
                s.seg[sr] = FarTransfers.v8086Segment(sels[sr], sr);
            }
        } else {
            loadTaskSegments(x, sels);
        }
        if (errorCode >= 0) {
            x.push(new32 ? 4 : 2, errorCode);
        }
    }

    private static void loadLdt(Interpreter x, int ldtSel) {
        CpuState s = x.state;
        if ((ldtSel & 0xfffc) == 0) {
            s.ldt = Descriptors.nullSegment(ldtSel, 0);
            return;
        }
        if ((ldtSel & 4) != 0) {
            throw GuestFault.ts(ldtSel & 0xfffc);
        }
        long d = Descriptors.read(x, ldtSel, GuestFault.TS);
        if (Descriptors.codeOrData(d) || Descriptors.type(d) != Descriptors.LDT) {
            throw GuestFault.ts(ldtSel & 0xfffc);
        }
        if (!Descriptors.present(d)) {
            throw GuestFault.ts(ldtSel & 0xfffc);
        }
        s.ldt = Descriptors.toSegment(ldtSel, d);
    }

    /** CS, SS and the data segments of the new task, with the checks of SDM Vol. 3A Table 7-1 (#TS). */
    private static void loadTaskSegments(Interpreter x, int[] sels) {
        CpuState s = x.state;
        int csSel = sels[SegmentRegister.CS];
        int cpl = csSel & 3;
        if ((csSel & 0xfffc) == 0) {
            throw GuestFault.ts(0);
        }
        long cs = Descriptors.read(x, csSel, GuestFault.TS);
        if (!Descriptors.isCode(cs)
                || (Descriptors.conforming(cs) ? Descriptors.dpl(cs) > cpl : Descriptors.dpl(cs) != cpl)) {
            throw GuestFault.ts(csSel & 0xfffc);
        }
        if (!Descriptors.present(cs)) {
            throw GuestFault.np(csSel & 0xfffc);
        }
        int ssSel = sels[SegmentRegister.SS];
        if ((ssSel & 0xfffc) == 0) {
            throw GuestFault.ts(0);
        }
        long ss = Descriptors.read(x, ssSel, GuestFault.TS);
        if ((ssSel & 3) != cpl || Descriptors.dpl(ss) != cpl || !Descriptors.writableData(ss)) {
            throw GuestFault.ts(ssSel & 0xfffc);
        }
        if (!Descriptors.present(ss)) {
            throw GuestFault.ss(ssSel & 0xfffc);
        }
        Descriptors.setAccessed(x, csSel, cs);
        Descriptors.setAccessed(x, ssSel, ss);
        s.seg[SegmentRegister.CS] = Descriptors.toSegment(csSel, cs);
        s.seg[SegmentRegister.SS] = Descriptors.toSegment(ssSel, ss);
        for (int sr : new int[] {SegmentRegister.ES, SegmentRegister.DS, SegmentRegister.FS, SegmentRegister.GS}) {
            int sel = sels[sr];
            if ((sel & 0xfffc) == 0) {
                s.seg[sr] = Descriptors.nullSegment(sel, 0);
                continue;
            }
            long d = Descriptors.read(x, sel, GuestFault.TS);
            if (!Descriptors.isData(d) && !Descriptors.readableCode(d)) {
                throw GuestFault.ts(sel & 0xfffc);
            }
            if (!Descriptors.conforming(d) && ((sel & 3) > Descriptors.dpl(d) || cpl > Descriptors.dpl(d))) {
                throw GuestFault.ts(sel & 0xfffc);
            }
            if (!Descriptors.present(d)) {
                throw GuestFault.np(sel & 0xfffc);
            }
            Descriptors.setAccessed(x, sel, d);
            s.seg[sr] = Descriptors.toSegment(sel, d);
        }
    }

    /** IRET with NT set: back to the task named by the current TSS's link field (SDM Vol. 3A 7.4). */
    static void taskReturn(Interpreter x) {
        CpuState s = x.state;
        int link = (int) x.readLinear(s.tr.base(), 2);
        if ((link & 4) != 0 || (link & 0xfffc) == 0) {
            throw GuestFault.ts(link & 0xfffc);
        }
        long d = Descriptors.read(x, link, GuestFault.TS);
        int t = Descriptors.type(d);
        if (Descriptors.codeOrData(d) || (t != Descriptors.TSS_BUSY && t != Descriptors.TSS16_BUSY)) {
            throw GuestFault.ts(link & 0xfffc);
        }
        switchTo(x, link, d, IRET, x.nextRip, -1);
    }
}
