package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemorySlot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small real-mode guest programs through {@link Cpu#run}: exits, completions, interrupts, debug. */
class RealModeRunTest {
    private GuestMemory memory;
    private MemorySlot ram;
    private CpuState state;
    private Cpu cpu;

    @BeforeEach
    void setUp() {
        memory = new GuestMemory(MemoryQuota.UNLIMITED);
        ram = memory.setRegion(0, 0, 0, 1 << 20);
        state = new CpuState();
        state.seg[SegmentRegister.CS] = Segment.real(0, 11);
        state.rip = 0x1000;
        state.gpr[4] = 0x8000;
        cpu = new Cpu(state, memory, new IoBus(), new CpuConfig(() -> 0, false, 0));
    }

    private void load(int... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            ram.write8(0x1000 + i, bytes[i]);
        }
    }

    @Test
    void outThenHlt() {
        // mov al,0x41; mov dx,0x3f8; out dx,al; hlt
        load(0xb0, 0x41, 0xba, 0xf8, 0x03, 0xee, 0xf4);
        CpuExit e = cpu.run(100);
        assertEquals(ExitReason.IO, e.reason);
        assertEquals(0x3f8, e.ioPort);
        assertEquals(1, e.ioCount);
        assertEquals(0x41, e.ioData[0]);
        assertEquals(0x1006, state.rip);
        e = cpu.run(100);
        assertEquals(ExitReason.HLT, e.reason);
        assertEquals(0x1007, state.rip);
        assertTrue(state.halted);
    }

    @Test
    void inIsCompletedByTheNextRun() {
        // in al,0x60; hlt
        load(0xe4, 0x60, 0xf4);
        CpuExit e = cpu.run(100);
        assertEquals(ExitReason.IO, e.reason);
        assertTrue(e.ioIn);
        assertEquals(0x1000, state.rip);
        cpu.completeIo(new byte[] {0x5a});
        e = cpu.run(100);
        assertEquals(ExitReason.HLT, e.reason);
        assertEquals(0x5a, state.gpr[0] & 0xff);
    }

    @Test
    void callRetLoopAndInt() {
        // IVT[0x21] = 0000:2000; at 2000: inc bx; iret
        ram.write16(0x21 * 4, 0x2000);
        ram.write16(0x21 * 4 + 2, 0);
        ram.write8(0x2000, 0x43);
        ram.write8(0x2001, 0xcf);
        // mov cx,5; l: call f; loop l; int 0x21; hlt; f: inc ax; ret
        load(0xb9, 0x05, 0x00, 0xe8, 0x05, 0x00, 0xe2, 0xfb, 0xcd, 0x21, 0xf4, 0x40, 0xc3);
        CpuExit e = cpu.run(1000);
        assertEquals(ExitReason.HLT, e.reason);
        assertEquals(5, state.gpr[0]);
        assertEquals(1, state.gpr[3]);
        assertEquals(0x8000, state.gpr[4]);
    }

    @Test
    void singleStepAndBreakpoint() {
        load(0x40, 0x40, 0x40, 0xf4);
        cpu.setDebug(true, true, null);
        CpuExit e = cpu.run(100);
        assertEquals(ExitReason.DEBUG, e.reason);
        assertEquals(0x1001, e.debugPc);
        cpu.setDebug(true, false, new long[] {0x1002});
        e = cpu.run(100);
        assertEquals(ExitReason.DEBUG, e.reason);
        assertEquals(0x1002, e.debugPc);
        assertEquals(2, state.gpr[0]);
        e = cpu.run(100);
        assertEquals(ExitReason.HLT, e.reason);
        assertEquals(3, state.gpr[0]);
    }

    @Test
    void repOutsCarriesAllBytes() {
        // mov si,0x3000; mov cx,3; mov dx,0xe9; rep outsb; hlt
        byte[] text = {'a', 'b', 'c'};
        memory.write(0x3000, text, 0, 3);
        load(0xbe, 0x00, 0x30, 0xb9, 0x03, 0x00, 0xba, 0xe9, 0x00, 0xf3, 0x6e, 0xf4);
        CpuExit e = cpu.run(100);
        assertEquals(ExitReason.IO, e.reason);
        assertEquals(3, e.ioCount);
        byte[] got = new byte[3];
        System.arraycopy(e.ioData, 0, got, 0, 3);
        assertArrayEquals(text, got);
        assertEquals(0, state.gpr[1] & 0xffff);
        assertEquals(ExitReason.HLT, cpu.run(100).reason);
    }

    @Test
    void queuedInterruptIsDeliveredWhenIfIsSet() {
        ram.write16(0x30 * 4, 0x2000);
        ram.write8(0x2000, 0xf4);
        load(0xfb, 0x90, 0x90, 0xf4); // sti; nop; nop; hlt
        state.queueInterrupt(0x30);
        CpuExit e = cpu.run(100);
        assertEquals(ExitReason.HLT, e.reason);
        // STI's shadow lets the first NOP run, then the interrupt is taken
        assertEquals(0x2001, state.rip);
        assertEquals(0x1002, ram.read16(0x8000 - 6));
    }

    @Test
    void selfModifyingCodeIsSeen() {
        // l: mov al,1; add bl,al; mov byte [0x1001],5; inc cx; cmp cx,2; jne l; hlt
        load(0xb0, 0x01, 0x00, 0xc3, 0xc6, 0x06, 0x01, 0x10, 0x05, 0x41, 0x83, 0xf9, 0x02, 0x75, 0xf1, 0xf4);
        assertEquals(ExitReason.HLT, cpu.run(100).reason);
        assertEquals(6, state.gpr[3] & 0xff);
        // a write by the VM client is seen too
        ram.write8(0x1001, 7);
        state.rip = 0x1000;
        state.gpr[1] = 1;
        state.halted = false;
        assertEquals(ExitReason.HLT, cpu.run(100).reason);
        assertEquals(6 + 7, state.gpr[3] & 0xff);
    }
}
