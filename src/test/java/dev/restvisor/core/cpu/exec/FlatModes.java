package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Segment;

/**
 * The two flat machines the differential tests of the fast forms and the block compiler start from: 64-bit mode
 * with the page tables at CR3 0x1000, or 32-bit protected mode without paging; CS selector 8, data selectors 16,
 * all segments base 0 and limit 4 GiB. Also how two runs from there are compared.
 */
final class FlatModes {
    private FlatModes() {
    }

    static void enter(CpuState s, boolean mode64) {
        if (mode64) {
            s.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_PG | ControlRegisters.CR0_ET;
            s.cr4 = ControlRegisters.CR4_PAE;
            s.cr3 = 0x1000;
            s.efer = ControlRegisters.EFER_LME | ControlRegisters.EFER_LMA;
            s.seg[1] = new Segment(8, 0, 0xffffffff, 11, 1, 0, 0, 1, 1, 1, 0, 0);
        } else {
            s.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_ET;
            s.seg[1] = new Segment(8, 0, 0xffffffff, 11, 1, 0, 1, 1, 0, 1, 0, 0);
        }
        for (int sr : new int[] {0, 2, 3, 4, 5}) {
            s.seg[sr] = new Segment(16, 0, 0xffffffff, 3, 1, 0, 1, 1, 0, 1, 0, 0);
        }
    }

    /** Appends " r3=1 other 2"-style entries for each general register, RFLAGS and RIP in which {@code a} differs from {@code b}. */
    static void registerDifferences(StringBuilder d, CpuState a, CpuState b, String other) {
        for (int r = 0; r < 16; r++) {
            if (a.gpr[r] != b.gpr[r]) {
                d.append(String.format(" r%d=%x %s %x", r, a.gpr[r], other, b.gpr[r]));
            }
        }
        if (a.rflags != b.rflags) {
            d.append(String.format(" rflags=%x %s %x", a.rflags, other, b.rflags));
        }
        if (a.rip != b.rip) {
            d.append(String.format(" rip=%x %s %x", a.rip, other, b.rip));
        }
    }
}
