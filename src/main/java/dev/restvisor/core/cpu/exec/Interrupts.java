package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.SegmentRegister;

import static dev.restvisor.core.cpu.state.SegmentRegister.CS;
import static dev.restvisor.core.cpu.state.SegmentRegister.SS;

/**
 * Delivery of exceptions and interrupts (SDM Vol. 3A chapter 6): through the IVT in real-address mode
 * (20.1.4), through the IDT in protected mode with interrupt, trap and task gates, privilege change and
 * the TSS stacks (6.12), from virtual-8086 mode (20.3), and in IA-32e mode with 16-byte gates, IST stacks
 * and the aligned 64-bit frame (6.14). A fault while delivering INT n is a fault of that instruction. A fault
 * while delivering an exception or an external interrupt becomes a double fault or is delivered serially
 * according to Table 6-5; a fault while delivering a double fault is a triple fault, which
 * shuts the vcpu down. Where the VM asks for exception exits, the exception that results from a fault
 * during delivery is reported like one raised by an instruction: the state is as before the delivery.
 *
 * <p>The caller has set {@code state.rip} to the address to return to (the faulting instruction for a
 * fault, the next one for a trap or software interrupt). On return {@code state.rip} is the handler.
 */
public final class Interrupts {
    /** A processor exception (fault or trap), possibly with an error code. */
    public static final int EXCEPTION = 0;
    /** INT n, INT3, INTO. */
    public static final int SOFTWARE = 1;
    /** An external interrupt (INTR, KVM_INTERRUPT). */
    public static final int EXTERNAL = 2;
    /** INT1 (ICEBP, F1): delivered like a hardware exception, without the gate DPL check. */
    public static final int ICEBP = 3;

    private Interrupts() {
    }

    public static void deliver(Interpreter x, int vector, int kind, int errorCode) {
        deliver(x, vector, kind, errorCode, 0);
    }

    private static void deliver(Interpreter x, int vector, int kind, int errorCode, int depth) {
        CpuState s = x.state;
        long rip = s.rip;
        FarTransfers.Snapshot saved = new FarTransfers.Snapshot(x);
        try {
            deliverOnce(x, vector, kind, errorCode);
        } catch (ExitSignal e) {
            // an IDT, stack or paging-structure read waits for the VM client: the event is raised again after it
            saved.restore(x);
            s.rip = rip;
            throw e;
        } catch (GuestFault second) {
            saved.restore(x);
            s.rip = rip;
            if (kind == SOFTWARE) {
                // a fault of the INT n instruction itself, raised with RIP on it (SDM Vol. 2A "INT n")
                throw second;
            }
            if (vector == GuestFault.DF && kind == EXCEPTION || depth > 2) {
                x.shutdown();
                return;
            }
            GuestFault next = kind == EXCEPTION && doubleFault(vector, second.vector)
                    ? new GuestFault(GuestFault.DF, 0) : second;
            if (!exceptionExit(x, next)) {
                deliver(x, next.vector, EXCEPTION, next.errorCode, depth + 1);
            }
        }
    }

    /** An exception outside an instruction's execution (a trap after it): reported as an exit or delivered. */
    static void raise(Interpreter x, GuestFault f) {
        if (!exceptionExit(x, f)) {
            deliver(x, f.vector, EXCEPTION, f.errorCode);
        }
    }

    /**
     * When the VM definition asks for exits on {@code f}'s vector: fills a KVM_EXIT_EXCEPTION that the run
     * reports instead of delivering the exception (RIP stays on the faulting instruction).
     */
    static boolean exceptionExit(Interpreter x, GuestFault f) {
        if ((x.config.exceptionExitVectors() & (1 << f.vector)) == 0 || f.vector >= 32) {
            return false;
        }
        x.exit.reason = ExitReason.EXCEPTION;
        x.exit.exceptionVector = f.vector;
        x.exit.exceptionErrorCode = Math.max(f.errorCode, 0);
        x.exitPending = true;
        return true;
    }

    /** #DE, #TS, #NP, #SS, #GP (SDM Vol. 3A Table 6-4). */
    private static boolean contributory(int vector) {
        return vector == 0 || (vector >= 10 && vector <= 13);
    }

    /** SDM Vol. 3A Table 6-5. */
    private static boolean doubleFault(int first, int second) {
        if (contributory(first)) {
            return contributory(second);
        }
        return first == GuestFault.PF && (contributory(second) || second == GuestFault.PF);
    }

    /** Faults (as opposed to traps) push RF set, so the handler's IRET does not re-trigger a code breakpoint. */
    private static boolean isFault(int vector) {
        return switch (vector) {
            case 0, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19 -> true;
            default -> false;
        };
    }

    private static void deliverOnce(Interpreter x, int vector, int kind, int errorCode) {
        CpuState s = x.state;
        if (!s.protectedMode()) {
            realMode(x, vector);
        } else {
            protectedMode(x, vector, kind, errorCode);
        }
        s.halted = false;
    }

    /** Real-address mode: push FLAGS, CS, IP; clear IF, TF, AC, RF; jump through the IVT entry. */
    private static void realMode(Interpreter x, int vector) {
        CpuState s = x.state;
        long entry = (long) vector * 4;
        if (entry + 3 > s.idt.limit()) {
            throw GuestFault.gp(vector * 8 + 2);
        }
        long ip = x.readLinear(s.idt.base() + entry, 2);
        int cs = (int) x.readLinear(s.idt.base() + entry + 2, 2);
        x.push(2, x.getRflags() & 0xffff);
        x.push(2, s.seg[CS].selector());
        x.push(2, s.rip & 0xffff);
        x.setRflags(x.getRflags() & ~(Rflags.IF | Rflags.TF | Rflags.AC | Rflags.RF));
        x.setSegmentReal(CS, cs);
        s.rip = ip;
    }

    /** Protected and IA-32e mode delivery through the IDT (SDM Vol. 3A 6.12 and 6.14, Vol. 2A "INT n" Operation). */
    private static void protectedMode(Interpreter x, int vector, int kind, int errorCode) {
        CpuState s = x.state;
        int ext = kind == SOFTWARE ? 0 : 1;
        boolean ia32e = s.longMode();
        int entrySize = ia32e ? 16 : 8;
        int idtErr = vector * 8 + 2 + ext;
        if ((long) vector * entrySize + entrySize - 1 > s.idt.limit()) {
            throw GuestFault.gp(idtErr);
        }
        long gateAddr = s.idt.base() + (long) vector * entrySize;
        long gate = x.readLinear(ia32e ? gateAddr : gateAddr & 0xffffffffL, 8);
        int type = Descriptors.type(gate);
        boolean valid = !Descriptors.codeOrData(gate) && (ia32e
                ? type == Descriptors.INT_GATE || type == Descriptors.TRAP_GATE
                : type == Descriptors.TASK_GATE || type == Descriptors.INT_GATE16 || type == Descriptors.TRAP_GATE16
                  || type == Descriptors.INT_GATE || type == Descriptors.TRAP_GATE);
        if (!valid) {
            throw GuestFault.gp(idtErr);
        }
        int cpl = s.cpl();
        if (kind == SOFTWARE && Descriptors.dpl(gate) < cpl) {
            throw GuestFault.gp(idtErr);
        }
        if (!Descriptors.present(gate)) {
            throw GuestFault.np(idtErr);
        }
        if (type == Descriptors.TASK_GATE) {
            taskGate(x, gate, ext, errorCode);
            return;
        }
        long offset = Descriptors.gateOffset(gate);
        int ist = 0;
        int gateSize;
        if (ia32e) {
            offset |= x.readLinear(gateAddr + 8, 8) << 32;
            ist = Descriptors.gateIst(gate);
            gateSize = 8;
        } else if ((type & 8) != 0) {
            gateSize = 4;
        } else {
            gateSize = 2;
            offset &= 0xffff;
        }
        int csSel = Descriptors.gateSelector(gate);
        if ((csSel & 0xfffc) == 0) {
            throw GuestFault.gp(ext);
        }
        int csErr = (csSel & 0xfffc) | ext;
        if (!Descriptors.inLimits(s, csSel, false)) {
            throw GuestFault.gp(csErr);
        }
        long cs = x.readLinear(Descriptors.address(s, csSel), 8);
        if (!Descriptors.isCode(cs) || Descriptors.dpl(cs) > cpl) {
            throw GuestFault.gp(csErr);
        }
        if (!Descriptors.present(cs)) {
            throw GuestFault.np(csErr);
        }
        if (ia32e && (!Descriptors.longCode(cs) || Descriptors.db(cs))) {
            throw GuestFault.gp(csErr);
        }
        boolean fromV86 = s.virtual8086();
        int newCpl = Descriptors.conforming(cs) ? cpl : Descriptors.dpl(cs);
        if (fromV86 && newCpl != 0) {
            throw GuestFault.gp(csErr);
        }
        long flags = x.getRflags();
        if (kind == EXCEPTION && isFault(vector)) {
            flags |= Rflags.RF;
        }
        int oldCs = s.seg[CS].selector();
        int oldSs = s.seg[SS].selector();
        long oldSp = s.gpr[4];
        boolean switchStack = newCpl < cpl || ist != 0;
        if (switchStack) {
            FarTransfers.switchToInnerStack(x, newCpl, ist, ext);
        }
        if (ia32e) {
            s.gpr[4] &= ~0xfL;
        }
        // TF, VM, RF, NT (and IF for an interrupt gate) clear before the pushes: they go to the handler's
        // stack at the handler's privilege level, not to a virtual-8086 stack
        long clear = Rflags.TF | Rflags.VM | Rflags.RF | Rflags.NT;
        if ((type & 1) == 0) {
            clear |= Rflags.IF;
        }
        x.setRflags(flags & ~clear);
        s.seg[CS] = Descriptors.toSegment((csSel & 0xfffc) | newCpl, cs);
        if (!ia32e && offset > (s.seg[CS].limit() & 0xffffffffL)) {
            throw GuestFault.gp(ext);
        }
        if (fromV86) {
            for (int sr : new int[] {SegmentRegister.GS, SegmentRegister.FS, SegmentRegister.DS, SegmentRegister.ES}) {
                x.push(gateSize, s.seg[sr].selector());
            }
            for (int sr : new int[] {SegmentRegister.GS, SegmentRegister.FS, SegmentRegister.DS, SegmentRegister.ES}) {
                s.seg[sr] = Descriptors.nullSegment(0, 0);
            }
        }
        if (ia32e || switchStack) {
            x.push(gateSize, oldSs);
            x.push(gateSize, oldSp);
        }
        x.push(gateSize, flags);
        x.push(gateSize, oldCs);
        x.push(gateSize, s.rip);
        if (errorCode >= 0) {
            x.push(gateSize, errorCode);
        }
        Descriptors.setAccessed(x, csSel, cs);
        s.rip = offset;
    }

    /** An IDT task gate: a task switch to the TSS it names, with the error code pushed on the new stack. */
    private static void taskGate(Interpreter x, long gate, int ext, int errorCode) {
        CpuState s = x.state;
        int tss = Descriptors.gateSelector(gate);
        int err = (tss & 0xfffc) | ext;
        if ((tss & 4) != 0 || !Descriptors.inLimits(s, tss, false)) {
            throw GuestFault.ts(err);
        }
        long d = x.readLinear(Descriptors.address(s, tss), 8);
        int t = Descriptors.type(d);
        if (Descriptors.codeOrData(d) || (t != Descriptors.TSS_AVAIL && t != Descriptors.TSS16_AVAIL)) {
            throw GuestFault.ts(err);
        }
        TaskSwitch.switchTo(x, tss, d, TaskSwitch.INTERRUPT, s.rip, errorCode);
        s.rip = x.nextRip;
    }
}
