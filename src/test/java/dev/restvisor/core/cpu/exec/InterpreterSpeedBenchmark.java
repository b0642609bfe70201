package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemorySlot;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a test: guest instructions retired per second for a small 64-bit integer loop
 * (register ALU, a store, a conditional branch). Runs only with -Dbenchmark=true and prints its figure.
 */
class InterpreterSpeedBenchmark {
    @Test
    void integerLoop64() {
        Assumptions.assumeTrue(Boolean.getBoolean("benchmark"), "run with -Dbenchmark=true");
        GuestMemory memory = new GuestMemory(MemoryQuota.UNLIMITED);
        MemorySlot ram = memory.setRegion(0, 0, 0, 2 << 20);
        ram.write64(0x1000, 0x2003);
        ram.write64(0x2000, 0x3003);
        ram.write64(0x3000, 0x83);
        // l: add rax,rcx; xor rdx,rax; mov [rbx],rdx; dec rcx; jnz l; hlt
        int[] code = {0x48, 0x01, 0xc8, 0x48, 0x31, 0xc2, 0x48, 0x89, 0x13, 0x48, 0xff, 0xc9, 0x75, 0xf2, 0xf4};
        for (int i = 0; i < code.length; i++) {
            ram.write8(0x10000 + i, code[i]);
        }
        CpuState s = new CpuState();
        s.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_PG | ControlRegisters.CR0_ET;
        s.cr4 = ControlRegisters.CR4_PAE;
        s.cr3 = 0x1000;
        s.efer = ControlRegisters.EFER_LME | ControlRegisters.EFER_LMA;
        s.seg[1] = new Segment(8, 0, 0xffffffff, 11, 1, 0, 0, 1, 1, 1, 0, 0);
        for (int sr : new int[] {0, 2, 3, 4, 5}) {
            s.seg[sr] = new Segment(16, 0, 0xffffffff, 3, 1, 0, 1, 1, 0, 1, 0, 0);
        }
        Cpu cpu = new Cpu(s, memory, new IoBus(), new CpuConfig(() -> 0, false, 0));
        for (int round = 0; round < 3; round++) {
            s.rip = 0x10000;
            s.gpr[1] = 20_000_000;
            s.gpr[3] = 0x20000;
            s.halted = false;
            long before = cpu.instructionsRetired();
            long t0 = System.nanoTime();
            CpuExit e = cpu.run(Long.MAX_VALUE);
            long ns = System.nanoTime() - t0;
            long n = cpu.instructionsRetired() - before;
            System.out.printf("integerLoop64 round %d: %s after %,d instructions, %.1f M instructions/s%n", round,
                    e.reason, n, n * 1e3 / ns);
        }
    }
}
