package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemorySlot;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** LOCK-prefixed read-modify-write instructions are atomic across vcpus running on their own threads. */
class LockedInstructionTest {
    @Test
    void lockIncFromTwoVcpus() throws Exception {
        GuestMemory memory = new GuestMemory(MemoryQuota.UNLIMITED);
        MemorySlot ram = memory.setRegion(0, 0, 0, 1 << 20);
        // l: lock inc dword [0x3000]; dec ecx; jnz l; hlt  (16-bit code, 66 prefixes for 32-bit operands)
        int[] code = {0xf0, 0x66, 0xff, 0x06, 0x00, 0x30, 0x66, 0x49, 0x75, 0xf6, 0xf4};
        for (int i = 0; i < code.length; i++) {
            ram.write8(0x1000 + i, code[i]);
        }
        int per = 200_000;
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            CpuState s = new CpuState();
            s.seg[SegmentRegister.CS] = Segment.real(0, 11);
            s.rip = 0x1000;
            s.gpr[1] = per;
            s.gpr[4] = 0x8000 + t * 0x1000;
            Cpu cpu = new Cpu(s, memory, new IoBus(), new CpuConfig(() -> 0, false, 0));
            threads[t] = new Thread(() -> cpu.run(Long.MAX_VALUE));
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(2 * per, ram.read32(0x3000));
    }
}
