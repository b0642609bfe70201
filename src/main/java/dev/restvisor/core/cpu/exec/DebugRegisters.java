package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Rflags;

/**
 * Guest debug features of SDM Vol. 3A chapter 18: instruction breakpoints in DR0-DR3 enabled by DR7,
 * reported as #DB faults with the B0-B3 bits of DR6 and suppressed by RFLAGS.RF, and the single-step
 * trap (DR6.BS). Data breakpoints (R/W = 01 or 11) and I/O breakpoints are not implemented; CPUID
 * therefore reports no DE feature.
 */
public final class DebugRegisters {
    /** DR6 bits (SDM Vol. 3A 18.2.3). */
    public static final long DR6_BS = 1L << 14, DR6_BD = 1L << 13;

    private DebugRegisters() {
    }

    /**
     * Called before an instruction at linear address {@code linearRip} is fetched: when an enabled execute
     * breakpoint matches and RF is clear, records the hit in DR6 and raises the #DB fault.
     */
    public static void checkInstructionBreakpoint(CpuState s, long linearRip) {
        long dr7 = s.dr7;
        if ((dr7 & 0xff) == 0 || (s.rflags & Rflags.RF) != 0) {
            return;
        }
        long hits = 0;
        for (int i = 0; i < 4; i++) {
            boolean enabled = ((dr7 >>> (2 * i)) & 3) != 0;
            int rw = (int) (dr7 >>> (16 + 4 * i)) & 3;
            if (enabled && rw == 0 && s.dr[i] == linearRip) {
                hits |= 1L << i;
            }
        }
        if (hits != 0) {
            s.dr6 = (s.dr6 & ~0xfL) | hits;
            throw new GuestFault(GuestFault.DB, -1);
        }
    }

    /** The single-step trap after an instruction that began with TF set: DR6.BS, then #DB. */
    public static void singleStepTrap(Interpreter x) {
        x.state.dr6 |= DR6_BS;
        Interrupts.deliver(x, GuestFault.DB, Interrupts.EXCEPTION, -1);
    }
}
