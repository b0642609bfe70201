package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.DescriptorTable;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemorySlot;
import java.io.ByteArrayOutputStream;

/**
 * A vcpu in 32-bit protected mode with flat ring-0 segments (CS 0x08, data 0x10), 4 MiB of RAM, an IDT of
 * 32 interrupt gates at {@link #IDT} whose handler for vector v ({@link #handler}) writes v to port 0xe9 and
 * halts, and optional 32-bit paging that identity-maps the RAM except the page at {@link #HOLE}. Guest code goes
 * at {@link #CODE}; the stack starts at {@link #STACK}.
 */
final class FlatMachine {
    static final long GDT = 0x1f00, IDT = 0x1000, HOLE = 0x2000, CODE = 0x4000, HANDLERS = 0x5000, STACK = 0x8000;
    static final long PD = 0x10000, PT = 0x11000;
    static final int CODE_SEL = 0x08, DATA_SEL = 0x10;

    final CpuState state = new CpuState();
    final GuestMemory memory = new GuestMemory(MemoryQuota.UNLIMITED);
    final MemorySlot ram = memory.setRegion(0, 0, 0, 4 << 20);
    private final int exceptionExits;
    Cpu cpu;
    /** Bytes the guest wrote to port 0xe9. */
    final ByteArrayOutputStream marks = new ByteArrayOutputStream();

    /** @param exceptionExitVectors the vectors reported as KVM_EXIT_EXCEPTION */
    FlatMachine(int... exceptionExitVectors) {
        int exits = 0;
        for (int v : exceptionExitVectors) {
            exits |= 1 << v;
        }
        this.exceptionExits = exits;
        ram.write64(GDT + 0x08, 0x00cf9a000000ffffL);
        ram.write64(GDT + 0x10, 0x00cf92000000ffffL);
        state.gdt = new DescriptorTable(GDT, 0x1ff);
        state.idt = new DescriptorTable(IDT, 32 * 8 - 1);
        for (int v = 0; v < 32; v++) {
            gate(v, CODE_SEL, handler(v), 0x8e);
            ram.writeBytes(handler(v), new byte[] {(byte) 0xB0, (byte) v, (byte) 0xE6, (byte) 0xE9, (byte) 0xF4}, 0, 5);
        }
        state.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_ET;
        state.seg[SegmentRegister.CS] = new Segment(CODE_SEL, 0, 0xffffffff, 11, 1, 0, 1, 1, 0, 1, 0, 0);
        Segment data = new Segment(DATA_SEL, 0, 0xffffffff, 3, 1, 0, 1, 1, 0, 1, 0, 0);
        for (int sr : new int[] {SegmentRegister.DS, SegmentRegister.ES, SegmentRegister.SS, SegmentRegister.FS, SegmentRegister.GS}) {
            state.seg[sr] = data;
        }
        state.rip = CODE;
        state.gpr[4] = STACK;
        state.rflags = 2;
    }

    static long handler(int vector) {
        return HANDLERS + 8L * vector;
    }

    /** An IDT gate: {@code access} is the descriptor's byte 5 (0x8e: present 32-bit interrupt gate, DPL 0). */
    void gate(int vector, int selector, long offset, int access) {
        long g = (offset & 0xffff) | ((long) selector << 16) | ((long) access << 40) | ((offset & 0xffff0000L) << 32);
        ram.write64(IDT + 8L * vector, g);
    }

    /** Turns on 32-bit paging: RAM identity-mapped, read/write, supervisor, except the not-present {@link #HOLE}. */
    FlatMachine paging() {
        for (int i = 0; i < 1024; i++) {
            ram.write32(PT + 4L * i, i * 0x1000 == HOLE ? 0 : i * 0x1000 | 3);
        }
        ram.write32(PD, (int) PT | 3);
        state.cr3 = PD;
        state.cr0 |= ControlRegisters.CR0_PG;
        return this;
    }

    FlatMachine code(int... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            ram.write8(CODE + i, bytes[i]);
        }
        return this;
    }

    /** Runs until the vcpu halts or another exit than an OUT to port 0xe9 happens, and returns that exit. */
    CpuExit run() {
        if (cpu == null) {
            cpu = new Cpu(state, memory, new IoBus(), new CpuConfig(() -> 0, false, exceptionExits));
        }
        for (int i = 0; i < 100; i++) {
            CpuExit e = cpu.run(10_000);
            if (e.reason != ExitReason.IO || e.ioPort != 0xe9 || e.ioIn) {
                return e;
            }
            marks.write(e.ioData, 0, e.ioSize * e.ioCount);
        }
        throw new AssertionError("no exit");
    }

    /** The dword at {@code depth} bytes above ESP. */
    long stack(int depth) {
        return ram.read32(state.gpr[4] + depth) & 0xffffffffL;
    }
}
