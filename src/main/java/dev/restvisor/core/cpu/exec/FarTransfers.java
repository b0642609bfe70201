package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.SegmentRegister;

/**
 * Segment-register loads and far control transfers: far JMP/CALL/RET and IRET (SDM Vol. 2A "JMP",
 * "CALL", Vol. 2B "RET", Vol. 2A "IRET"). Real-address and virtual-8086 mode load a selector as
 * base = selector * 16.
 */
public final class FarTransfers {
    private FarTransfers() {
    }

    /** MOV/POP to a segment register, LDS/LES/LSS/LFS/LGS. */
    public static void loadSegment(Interpreter x, int sreg, int selector) {
        if (!x.state.protectedMode() || x.state.virtual8086()) {
            x.setSegmentReal(sreg, selector);
            return;
        }
        // protected-mode descriptor loads are B's part (see CORE-NOTES.md)
        throw GuestFault.gp(selector & 0xfffc);
    }

    static void jumpFar(Interpreter x, DecodedInstruction d, int selector, long offset) {
        loadSegment(x, SegmentRegister.CS, selector);
        x.nextRip = offset & Interpreter.mask(d.opSize);
    }

    static void callFar(Interpreter x, DecodedInstruction d, int selector, long offset) {
        int os = d.opSize;
        x.push(os, x.state.seg[SegmentRegister.CS].selector());
        x.push(os, x.nextRip);
        loadSegment(x, SegmentRegister.CS, selector);
        x.nextRip = offset & Interpreter.mask(os);
    }

    static void returnFar(Interpreter x, DecodedInstruction d, long release) {
        int os = d.opSize;
        long ip = x.peek(os, 0) & Interpreter.mask(os);
        int cs = (int) (x.peek(os, os) & 0xffff);
        loadSegment(x, SegmentRegister.CS, cs);
        int ss = x.stackSize();
        x.setReg(4, ss, x.state.gpr[4] + 2L * os + release);
        x.nextRip = ip;
    }

    static void interruptReturn(Interpreter x, DecodedInstruction d) {
        int os = d.opSize;
        long ip = x.peek(os, 0) & Interpreter.mask(os);
        int cs = (int) (x.peek(os, os) & 0xffff);
        long fl = x.peek(os, 2L * os);
        if (x.state.protectedMode()) {
            // protected-mode IRET (task return, privilege change, v8086) is B's part (see CORE-NOTES.md)
            throw GuestFault.gp(0);
        }
        loadSegment(x, SegmentRegister.CS, cs);
        int ss = x.stackSize();
        x.setReg(4, ss, x.state.gpr[4] + 3L * os);
        long keep = os == 2 ? ~0xffffL : (Rflags.VM | Rflags.VIP | Rflags.VIF);
        long old = x.getRflags();
        x.setRflags((old & keep) | (fl & ~keep & ~Rflags.RF));
        x.nextRip = ip;
    }
}
