package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemorySlot;

/**
 * The machine the exec tests run single instructions or small programs on in 64-bit mode: 2 MiB of RAM
 * identity-mapped by one 2 MiB page (PML4 at 0x1000, PDPT at 0x2000, PD at 0x3000; SDM Vol. 3A 4.5) and a vcpu
 * that exits on the exception vectors it is given instead of delivering them.
 */
class LongModeMachine {
    final GuestMemory memory = new GuestMemory(MemoryQuota.UNLIMITED);
    final MemorySlot ram = memory.setRegion(0, 0, 0, 2 << 20);
    final CpuState s = new CpuState();
    final Cpu cpu;

    LongModeMachine(int... exitVectors) {
        ram.write64(0x1000, 0x2003);
        ram.write64(0x2000, 0x3003);
        ram.write64(0x3000, 0x83);
        int exits = 0;
        for (int vector : exitVectors) {
            exits |= 1 << vector;
        }
        cpu = new Cpu(s, memory, new IoBus(), new CpuConfig(() -> 0, false, exits));
    }

    /** Writes {@code code} at {@code rip} and runs one instruction from there. */
    CpuExit step(long rip, byte[] code) {
        memory.write(rip, code, 0, code.length);
        s.rip = rip;
        cpu.stateChanged();
        return cpu.run(1);
    }

    /**
     * 64-bit mode at CPL 0 on those page tables: CR0.PE, PG and ET, CR4.PAE, EFER.LME and LMA, a 64-bit code
     * segment and flat data segments; {@code cr0} and {@code cr4} are further bits to set.
     */
    void enterLongMode(long cr0, long cr4) {
        s.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_PG | ControlRegisters.CR0_ET | cr0;
        s.cr4 = ControlRegisters.CR4_PAE | cr4;
        s.cr3 = 0x1000;
        s.efer = ControlRegisters.EFER_LME | ControlRegisters.EFER_LMA;
        s.seg[1] = new Segment(8, 0, 0xffffffff, 11, 1, 0, 0, 1, 1, 1, 0, 0);
        for (int sr : new int[] {0, 2, 3, 4, 5}) {
            s.seg[sr] = new Segment(16, 0, 0xffffffff, 3, 1, 0, 1, 1, 0, 1, 0, 0);
        }
    }
}
