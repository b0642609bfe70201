package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.SegmentRegister;

/**
 * Delivery of exceptions and interrupts (SDM Vol. 3A chapter 6; real mode 20.1.4). The caller has set
 * {@code state.rip} to the address to return to (the faulting instruction for a fault, the next one for
 * a trap or software interrupt).
 */
public final class Interrupts {
    /** A processor exception (fault or trap), possibly with an error code. */
    public static final int EXCEPTION = 0;
    /** INT n, INT3, INTO. */
    public static final int SOFTWARE = 1;
    /** An external interrupt (INTR, KVM_INTERRUPT). */
    public static final int EXTERNAL = 2;
    /** INT1 (ICEBP, F1). */
    public static final int ICEBP = 3;

    private Interrupts() {
    }

    public static void deliver(Interpreter x, int vector, int kind, int errorCode) {
        var s = x.state;
        if (!s.protectedMode()) {
            realMode(x, vector);
            return;
        }
        // protected-mode and long-mode delivery through the IDT is B's part (see CORE-NOTES.md)
        x.shutdown();
    }

    /** Real-address mode: push FLAGS, CS, IP; clear IF, TF, AC, RF; jump through the IVT entry. */
    private static void realMode(Interpreter x, int vector) {
        var s = x.state;
        long entry = (long) vector * 4;
        if (entry + 3 > s.idt.limit()) {
            throw GuestFault.gp(vector * 8 + 2);
        }
        long ip = x.readLinear(s.idt.base() + entry, 2);
        int cs = (int) x.readLinear(s.idt.base() + entry + 2, 2);
        x.push(2, x.getRflags() & 0xffff);
        x.push(2, s.seg[SegmentRegister.CS].selector());
        x.push(2, s.rip & 0xffff);
        s.rflags &= ~(Rflags.IF | Rflags.TF | Rflags.AC | Rflags.RF);
        x.setSegmentReal(SegmentRegister.CS, cs);
        s.rip = ip;
    }
}
