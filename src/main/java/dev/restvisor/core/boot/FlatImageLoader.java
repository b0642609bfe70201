package dev.restvisor.core.boot;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.DescriptorTable;
import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemorySlot;

/**
 * Loads a flat binary unchanged at a guest physical address and enters it either in real mode
 * (CS = 0, IP = entry point) or in the 32-bit protected-mode state a Multiboot v1 loader gives
 * (flat CS = 0x08 and data = 0x10 with 4 GiB limits, paging off, EFLAGS = 0x2, interrupts off).
 */
public final class FlatImageLoader {

    /** How the image is entered. */
    public enum Entry {
        REAL, PROTECTED32
    }

    private FlatImageLoader() {
    }

    /** Checks that the image fits in backed memory and the entry point is reachable, then loads it. */
    public static void load(GuestMemory memory, CpuState cpu, byte[] image, long loadAddress, Entry entry, long entryPoint) {
        if (image.length == 0) {
            throw new BootException("image", "the image is empty");
        }
        requireBacked(memory, loadAddress, image.length);
        if (entry == Entry.REAL && entryPoint > 0xffff) {
            throw new BootException("entry_point", String.format("a real-mode entry point is an offset in segment 0 and must be at most 0xffff, got 0x%x", entryPoint));
        }
        if (entry == Entry.PROTECTED32 && entryPoint > 0xffffffffL) {
            throw new BootException("entry_point", "a 32-bit entry point must be below 4 GiB");
        }
        memory.write(loadAddress, image, 0, image.length);
        cpu.reset();
        if (entry == Entry.REAL) {
            for (int s = 0; s < 6; s++) {
                cpu.seg[s] = Segment.real(0, s == SegmentRegister.CS ? 11 : 3);
            }
        } else {
            enterProtected32(cpu);
        }
        cpu.rip = entryPoint;
    }

    /** The Multiboot v1 machine state (Multiboot specification 3.2), with ESP 0x9FC00 as ../shared/bench expects. */
    static void enterProtected32(CpuState cpu) {
        Segment code = new Segment(0x08, 0, 0xffffffff, 11, 1, 0, 1, 1, 0, 1, 0, 0);
        Segment data = new Segment(0x10, 0, 0xffffffff, 3, 1, 0, 1, 1, 0, 1, 0, 0);
        for (int s = 0; s < 6; s++) {
            cpu.seg[s] = s == SegmentRegister.CS ? code : data;
        }
        cpu.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_ET;
        cpu.rflags = Rflags.FIXED1;
        cpu.gdt = new DescriptorTable(0, 0);
        cpu.idt = new DescriptorTable(0, 0x3ff);
        cpu.gpr[0] = 0x2BADB002L;
        cpu.gpr[4] = 0x9FC00;
    }

    static void requireBacked(GuestMemory memory, long address, long length) {
        long end = address + length;
        for (long a = address; a < end; ) {
            MemorySlot s = memory.slotAt(a);
            if (s == null) {
                throw new BootException("load_address", String.format(
                        "the image does not fit in guest RAM: 0x%x (of 0x%x-0x%x) is not backed by any memory region", a, address, end - 1));
            }
            a = s.base() + s.size();
        }
    }
}
