package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.DescriptorTable;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemorySlot;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random bytes executed in real mode, 16/32-bit protected mode and 64-bit mode, with random registers:
 * every run must end in an exit (never a Java exception), and the state must stay consistent.
 */
class FuzzTest {
    private static final int ROUNDS = 1500;

    @Test
    void randomBytesNeverEscape() {
        Random rnd = new Random(7);
        GuestMemory memory = new GuestMemory(MemoryQuota.UNLIMITED);
        MemorySlot ram = memory.setRegion(0, 0, 0, 4 << 20);
        // a hole between 4 MiB and 5 MiB, then more RAM: unbacked accesses become MMIO exits
        memory.setRegion(1, 0, 5 << 20, 1 << 20);
        CpuState s = new CpuState();
        Cpu cpu = new Cpu(s, memory, new IoBus(), new CpuConfig(() -> 0, false, 0));
        int[] counts = new int[ExitReason.values().length];
        for (int round = 0; round < ROUNDS; round++) {
            byte[] junk = new byte[8192];
            rnd.nextBytes(junk);
            memory.write(0x10000, junk, 0, junk.length);
            byte[] tables = new byte[0x4000];
            rnd.nextBytes(tables);
            memory.write(0x8000, tables, 0, 0x4000);
            s.reset();
            for (int r = 0; r < 16; r++) {
                s.gpr[r] = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(0x20000);
            }
            s.rflags = (rnd.nextLong() & (Rflags.STATUS | Rflags.DF | Rflags.IF)) | Rflags.FIXED1;
            int mode = round % 4;
            s.idt = new DescriptorTable(0x8000, 0xfff);
            s.gdt = new DescriptorTable(0x9000, 0xfff);
            if (mode == 0) {
                s.seg[1] = Segment.real(0x1000, 11);
                s.rip = rnd.nextInt(0x1000);
                s.idt = new DescriptorTable(0, 0x3ff);
            } else {
                s.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_ET;
                int db = mode == 1 ? 0 : 1;
                s.seg[1] = new Segment(8, 0, 0xffffffff, 11, 1, 0, db, 1, mode == 3 ? 1 : 0, 1, 0, 0);
                for (int sr : new int[] {0, 2, 3, 4, 5}) {
                    s.seg[sr] = new Segment(16, 0, 0xffffffff, 3, 1, 0, 1, 1, 0, 1, 0, 0);
                }
                s.rip = 0x10000 + rnd.nextInt(0x1000);
                if (mode == 3) {
                    ram.write64(0x1000, 0x2003);
                    ram.write64(0x2000, 0x3003);
                    for (int i = 0; i < 4; i++) {
                        ram.write64(0x3000 + i * 8, ((long) i << 21) | 0x83);
                    }
                    s.cr0 |= ControlRegisters.CR0_PG;
                    s.cr4 = ControlRegisters.CR4_PAE;
                    s.cr3 = 0x1000;
                    s.efer = ControlRegisters.EFER_LME | ControlRegisters.EFER_LMA;
                }
            }
            s.gpr[4] = 0x30000 + rnd.nextInt(0x1000);
            cpu.stateChanged();
            for (int run = 0; run < 20; run++) {
                CpuExit e = cpu.run(200);
                assertNotNull(e.reason);
                counts[e.reason.ordinal()]++;
                if (e.reason == ExitReason.SHUTDOWN || e.reason == ExitReason.HLT) {
                    break;
                }
                if (e.reason == ExitReason.IO && e.ioIn) {
                    cpu.completeIo(new byte[e.ioCount * e.ioSize]);
                } else if (e.reason == ExitReason.MMIO && !e.mmioWrite) {
                    cpu.completeMmioRead(new byte[e.mmioLen]);
                }
                assertTrue((s.rflags & Rflags.FIXED1) != 0, "RFLAGS bit 1 must stay set");
                if (cpu.lastHostError != null) {
                    java.io.StringWriter w = new java.io.StringWriter();
                    cpu.lastHostError.printStackTrace(new java.io.PrintWriter(w));
                    throw new AssertionError("mode " + mode + ": core bug hidden as #UD: " + w);
                }
            }
        }
        int total = 0;
        StringBuilder sb = new StringBuilder("fuzz exits:");
        for (ExitReason r : ExitReason.values()) {
            total += counts[r.ordinal()];
            sb.append(' ').append(r).append('=').append(counts[r.ordinal()]);
        }
        System.out.println(sb + ", instructions retired " + cpu.instructionsRetired());
        assertTrue(total >= ROUNDS);
    }
}
