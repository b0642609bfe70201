package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;

/**
 * Logical-to-linear address translation with the limit and type checks of SDM Vol. 3A 5.3 and 5.4.
 * Faults are #SS(0) for the stack segment and #GP(0) otherwise (SDM Vol. 3A 6.15, interrupts 12 and 13).
 * In 64-bit mode there is no limit check, only FS and GS contribute a base, and the linear address
 * must be canonical (SDM Vol. 3A 3.3.7.1).
 */
public final class Segmentation {
    /** Access kinds: a data read, a data write, an instruction fetch. */
    public static final int READ = 0, WRITE = 1, FETCH = 2;

    private Segmentation() {
    }

    /** The linear address of {@code offset} in segment register {@code sreg}, checked for {@code size} bytes. */
    public static long linear(CpuState s, int sreg, long offset, int size, int access) {
        Segment seg = s.seg[sreg];
        if (s.mode64()) {
            return linear64(seg, sreg, offset, size);
        }
        return linear(seg, sreg == SegmentRegister.SS, offset, size, access, s.protectedMode() && !s.virtual8086());
    }

    /** The linear address of {@code offset} in segment register {@code sreg} holding {@code seg}, in 64-bit mode. */
    static long linear64(Segment seg, int sreg, long offset, int size) {
        long lin = sreg >= SegmentRegister.FS ? seg.base() + offset : offset;
        if (!canonical(lin) || !canonical(lin + size - 1)) {
            throw sreg == SegmentRegister.SS ? GuestFault.ss(0) : GuestFault.gp(0);
        }
        return lin;
    }

    /**
     * The checked linear address in a segment given by its descriptor cache, for accesses through a
     * segment not yet loaded (the new stack of a privilege change). Not for 64-bit mode.
     *
     * @param stack faults are #SS(0) rather than #GP(0)
     * @param protectedChecks type checks apply (protected mode outside virtual-8086 mode)
     */
    public static long linear(Segment seg, boolean stack, long offset, int size, int access, boolean protectedChecks) {
        if (protectedChecks) {
            if (seg.isUnusable()) {
                throw stack ? GuestFault.ss(0) : GuestFault.gp(0);
            }
            boolean ok = switch (access) {
                case WRITE -> seg.writable();
                case READ -> seg.readable();
                default -> true;
            };
            if (!ok) {
                throw stack ? GuestFault.ss(0) : GuestFault.gp(0);
            }
        }
        long limit = seg.limit() & 0xffffffffL;
        long last = offset + size - 1;
        boolean bad;
        if (protectedChecks && seg.expandDown()) {
            // expand-down: valid offsets are limit+1 .. 0xffff or 0xffffffff (SDM Vol. 3A 5.3)
            long upper = seg.db() != 0 ? 0xffffffffL : 0xffffL;
            bad = offset <= limit || last > upper;
        } else {
            bad = last > limit;
        }
        if (bad) {
            throw stack ? GuestFault.ss(0) : GuestFault.gp(0);
        }
        return (seg.base() + offset) & 0xffffffffL;
    }

    /** Bits 63:47 all equal (48-bit linear addresses). */
    public static boolean canonical(long linear) {
        return (linear << 16) >> 16 == linear;
    }
}
