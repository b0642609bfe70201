package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Rflags;

/**
 * Guest debug features of SDM Vol. 3A chapter 18: instruction breakpoints in DR0-DR3 enabled by DR7,
 * reported as #DB faults with the B0-B3 bits of DR6 and suppressed by RFLAGS.RF; data breakpoints
 * (R/W = 01 write, 11 read or write; LEN 1, 2, 8 or 4 bytes), reported as #DB traps after the access's
 * instruction; and the single-step trap (DR6.BS). I/O breakpoints (R/W = 10, needing CR4.DE) are not
 * implemented; CPUID therefore reports no DE feature.
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
        Interrupts.raise(x, new GuestFault(GuestFault.DB, -1));
    }

    /** True when DR7 enables a data breakpoint, so the access path needs to call {@link #dataHits}. */
    public static boolean dataBreakpointsArmed(CpuState s) {
        long dr7 = s.dr7;
        for (int i = 0; i < 4; i++) {
            if (((dr7 >>> (2 * i)) & 3) != 0 && ((dr7 >>> (16 + 4 * i)) & 1) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The B0-B3 bits of the data breakpoints a {@code size}-byte access at {@code linear} matches (SDM Vol. 3A
     * 18.2.5: the breakpoint covers LEN bytes at its address, which is aligned down to LEN).
     */
    public static long dataHits(CpuState s, long linear, int size, boolean write) {
        long dr7 = s.dr7;
        long hits = 0;
        for (int i = 0; i < 4; i++) {
            int rw = (int) (dr7 >>> (16 + 4 * i)) & 3;
            if (((dr7 >>> (2 * i)) & 3) == 0 || (rw != 1 && rw != 3) || (rw == 1 && !write)) {
                continue;
            }
            int lenField = (int) (dr7 >>> (18 + 4 * i)) & 3;
            int len = switch (lenField) {
                case 0 -> 1;
                case 1 -> 2;
                case 2 -> 8;
                default -> 4;
            };
            long start = s.dr[i] & -len;
            if (linear < start + len && start < linear + size) {
                hits |= 1L << i;
            }
        }
        return hits;
    }

    /** After an instruction whose accesses hit data breakpoints: DR6.B0-B3, then the #DB trap. */
    public static void dataTrap(Interpreter x, long hits) {
        x.state.dr6 = (x.state.dr6 & ~0xfL) | hits;
        Interrupts.raise(x, new GuestFault(GuestFault.DB, -1));
    }
}
