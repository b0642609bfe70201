package dev.restvisor.core.vm;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;

/**
 * The guest-state checks a VM entry makes (a subset of SDM Vol. 3C 27.3.1 that applies without
 * VMX): register combinations no processor can be in. A failure is KVM_EXIT_FAIL_ENTRY.
 */
final class EntryChecks {
    private EntryChecks() {
    }

    /** Returns why the state cannot be entered, or null when it can. */
    static String check(CpuState s) {
        boolean pe = (s.cr0 & ControlRegisters.CR0_PE) != 0;
        boolean pg = (s.cr0 & ControlRegisters.CR0_PG) != 0;
        boolean lme = (s.efer & ControlRegisters.EFER_LME) != 0;
        boolean lma = (s.efer & ControlRegisters.EFER_LMA) != 0;
        if (pg && !pe) {
            return "CR0.PG is set without CR0.PE";
        }
        if ((s.cr0 & ControlRegisters.CR0_NW) != 0 && (s.cr0 & ControlRegisters.CR0_CD) == 0) {
            return "CR0.NW is set without CR0.CD";
        }
        if (s.cr0 >>> 32 != 0) {
            return "CR0 bits 63:32 are reserved and must be zero";
        }
        if (lma != (lme && pg)) {
            return "EFER.LMA must equal EFER.LME AND CR0.PG";
        }
        if (lma && (s.cr4 & ControlRegisters.CR4_PAE) == 0) {
            return "IA-32e mode (EFER.LMA) requires CR4.PAE";
        }
        Segment cs = s.seg[SegmentRegister.CS];
        if (lma && cs.l() != 0 && cs.db() != 0) {
            return "CS.L and CS.D are both set in IA-32e mode";
        }
        if (!lma && (s.rip >>> 32) != 0) {
            return "RIP bits 63:32 must be zero outside IA-32e mode";
        }
        if (pe && cs.present() == 0 && (s.rflags & 0x20000L) == 0) {
            return "CS is not present";
        }
        return null;
    }
}
