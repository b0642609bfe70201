package dev.restvisor.core.boot;

import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemorySlot;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of the BIOS memory map the kernel finds in boot_params.e820_table (zero-page.rst; ACPI "Address
 * Range Descriptor Structure"): 20 bytes of base, length and type.
 */
public record E820Entry(long address, long size, int type) {
    public static final int RAM = 1, RESERVED = 2;
    /** The top of conventional memory a PC leaves for the extended BIOS data area. */
    static final long EBDA = 0x9FC00, VGA_HOLE = 0xA0000, BIOS_ROM = 0xF0000, HIGH_MEMORY = 0x100000;
    /** E820_MAX_ENTRIES_ZEROPAGE: what fits in boot_params. */
    static final int MAX_ENTRIES = 128;

    public long end() {
        return address + size;
    }

    /**
     * The map of a PC with the VM's memory regions as RAM: adjacent regions merge, and the legacy window
     * [0x9FC00, 0x100000) is never RAM (its EBDA and BIOS parts are listed as reserved, as firmware does).
     */
    static List<E820Entry> of(GuestMemory memory) {
        List<long[]> ram = new ArrayList<>();
        for (MemorySlot s : memory.slots()) {
            long start = s.base(), end = s.base() + s.size();
            if (!ram.isEmpty() && ram.getLast()[1] == start) {
                ram.getLast()[1] = end;
            } else {
                ram.add(new long[] {start, end});
            }
        }
        List<E820Entry> map = new ArrayList<>();
        for (long[] r : ram) {
            addRam(map, r[0], Math.min(r[1], EBDA));
            addRam(map, Math.max(r[0], HIGH_MEMORY), r[1]);
        }
        map.add(new E820Entry(EBDA, VGA_HOLE - EBDA, RESERVED));
        map.add(new E820Entry(BIOS_ROM, HIGH_MEMORY - BIOS_ROM, RESERVED));
        map.sort(java.util.Comparator.comparingLong(E820Entry::address));
        if (map.size() > MAX_ENTRIES) {
            throw new BootException("memory_regions", "the VM's memory regions give " + map.size()
                    + " separate RAM ranges; boot_params holds at most " + MAX_ENTRIES);
        }
        return List.copyOf(map);
    }

    private static void addRam(List<E820Entry> map, long start, long end) {
        if (end > start) {
            map.add(new E820Entry(start, end - start, RAM));
        }
    }
}
